"""Every command line in the README's code blocks works as written (Snakemake's as a dry run, make's with -n)."""

from __future__ import annotations

import importlib
import os
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
#: Commands the README may show that are not run here: installs reach the package index; the reference SPANet runs
#: in its own environment (benchmarks/ builds one on demand).
NOT_RUN = ("pip", "spanet.predict")


def code_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of every fenced block and every indented (4-space) block of a Markdown text."""
    blocks: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            language, body = line[3:].strip(), []
            index += 1
            while index < len(lines) and not lines[index].startswith("```"):
                body.append(lines[index])
                index += 1
            blocks.append((language, body))
        elif line.startswith("    ") and line.strip() and (index == 0 or not lines[index - 1].strip()):
            body = []
            while index < len(lines) and (lines[index].startswith("    ") or not lines[index].strip()):
                body.append(lines[index][4:])
                index += 1
            blocks.append(("", [text for text in body if text.strip()]))
            continue
        index += 1
    return blocks


def shell_commands() -> list[list[str]]:
    """The README's shell command lines as argument lists (comments removed), in order."""
    commands = []
    for language, body in code_blocks(README.read_text()):
        if language not in ("", "sh", "bash", "console"):
            continue
        for line in body:
            words = shlex.split(line, comments=True)
            if words:
                commands.append(words)
    return commands


def _program(words: list[str]) -> str:
    """The command's name: the executable's, or the module's for `python -m MODULE`."""
    if Path(words[0]).name.startswith("python") and len(words) > 2 and words[1] == "-m":
        return words[2]
    return Path(words[0]).name


COMMANDS = shell_commands()


def _environment(exports: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "CONDOR_CONFIG"}  # as a user's shell has it
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **exports}


def test_readme_shows_the_two_entry_points_and_snakemake_commands():
    programs = [_program(words) for words in shell_commands()]
    assert programs[:2] == ["make", "make"]
    assert programs.count("snakemake") >= 3
    known = {"make", "snakemake", "export", *NOT_RUN}
    assert all(program in known or program.startswith("multihiggs.") for program in programs), programs


def _exports_before(words: list[str]) -> dict[str, str]:
    """Variables set by the README's `export` lines before this command."""
    exports: dict[str, str] = {}
    for earlier in COMMANDS[: next(i for i, command in enumerate(COMMANDS) if command is words)]:
        if _program(earlier) == "export":
            exports.update(item.split("=", 1) for item in earlier[1:])
    return exports


def _snakemake_dry_run(words: list[str], exports: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", *words[1:]] + ([] if "-n" in words else ["-n"])
    return subprocess.run(command, cwd=REPO, env=_environment(exports), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "words",
    [words for words in COMMANDS if _program(words) not in ("export", *NOT_RUN)],
    ids=lambda words: " ".join(words)[:80],
)
def test_readme_command_runs_as_written(words):
    if _program(words).startswith("multihiggs."):  # its arguments parse; running it needs workflow outputs
        parser = importlib.import_module(_program(words)).build_parser()
        parser.parse_args(words[3:])
        return
    if _program(words) == "make":
        result = subprocess.run(["make", "-n", *words[1:]], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return
    result = _snakemake_dry_run(words, _exports_before(words))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "CONDOR_CONFIG" not in result.stderr  # no HTCondor warning on a machine without HTCondor


def test_options_before_the_target_swallow_it():
    """Why the README names targets first: `--resources` takes the target as a resource and fails."""
    result = _snakemake_dry_run(["snakemake", "--cores", "2", "--resources", "gpu=1", "results/figures/x.pdf"], {})
    assert result.returncode != 0


def test_readme_config_example_is_valid(tmp_path):
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    config = yaml.safe_load((REPO / "config/ci.yaml").read_text())
    examples = [
        yaml.safe_load("\n".join(body)) for language, body in code_blocks(README.read_text()) if language == "yaml"
    ]
    inputs_examples = [example for example in examples if "inputs" in example]
    assert inputs_examples
    for example in inputs_examples:
        jsonschema.validate({**config, "inputs": {**config["inputs"], **example["inputs"]}}, schema)


def test_code_blocks_are_found_in_fenced_and_indented_form():
    text = "intro\n\n    make a\n    make b  # note\n\n```yaml\nk: 1\n```\n\ntext\n    not a block\n"
    assert code_blocks(text) == [("", ["make a", "make b  # note"]), ("yaml", ["k: 1"])]
