"""A HEPData submission on disk, the way hepdata_lib writes it, checked with hepdata-validator.

:func:`write_submission` has hepdata_lib write the YAML files and the flat ``submission.tar.gz`` into a staging
directory, validates the tarball offline, and only then moves the directory and the tarball into place.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hepdata_lib import Submission, Table
from hepdata_validator.full_submission_validator import FullSubmissionValidator

#: The file name hepdata_lib gives the tarball (written to the working directory).
TARBALL_NAME = "submission.tar.gz"


def build_submission(
    tables: Sequence[Table], resources: Sequence[tuple[str | Path, str]] = (), comment: str = ""
) -> Submission:
    """A submission of ``tables`` with local files as additional resources ((path, description), copied in)."""
    submission = Submission()
    submission.comment = comment
    names = [table.name.lower().replace(" ", "_") for table in tables]
    if len(set(names)) != len(names):
        raise ValueError(f"HEPData tables need distinct names, got {[table.name for table in tables]}")
    for table in tables:
        submission.add_table(table)
    locations = [Path(path).name for path, _ in resources]
    if len(set(locations)) != len(locations):
        raise ValueError(f"additional resources need distinct file names, got {locations}")
    for path, description in resources:
        path = Path(path).absolute()  # hepdata_lib copies the files when it writes, from the staging directory
        if not path.is_file():
            raise ValueError(f"additional resource {path} does not exist")
        file_type = "HistFactory" if path.suffix == ".json" else None
        submission.add_additional_resource(description, str(path), copy_file=True, file_type=file_type)
    return submission


def validation_messages(*, directory: str | Path | None = None, archive: str | Path | None = None) -> list[str]:
    """hepdata-validator's messages on a submission directory or archive (empty: valid)."""
    if (directory is None) == (archive is None):
        raise ValueError("validate either a directory or an archive")
    validator = FullSubmissionValidator()
    valid = validator.validate(
        directory=str(directory) if directory is not None else None,
        archive=str(archive) if archive is not None else None,
    )
    messages = [f"{file}: {message.message}" for file, found in validator.get_messages().items() for message in found]
    if not valid and not messages:
        messages.append("hepdata-validator rejects the submission without a message")
    return messages


def _replace_directory(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``, replacing an earlier submission there (never another kind of directory)."""
    if target.exists():
        if not (target / "submission.yaml").is_file() and any(target.iterdir()):
            raise ValueError(f"{target} exists and holds no HEPData submission: not replacing it")
        shutil.rmtree(target)
    shutil.move(str(source), str(target))


def write_submission(submission: Submission, directory: str | Path, tarball: str | Path) -> None:
    """Write ``submission`` as a directory of YAML files (and resources) and as a tarball, both validated.

    Raises:
        ValueError: with hepdata-validator's messages if the submission is invalid (nothing is written then).
    """
    directory, tarball = Path(directory).absolute(), Path(tarball).absolute()
    directory.parent.mkdir(parents=True, exist_ok=True)
    tarball.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".hepdata-", dir=directory.parent))
    try:
        staged = staging / "submission"
        with contextlib.chdir(staging):  # hepdata_lib writes the tarball to the working directory
            submission.create_files(str(staged), validate=False)
        for problem in (validation_messages(directory=staged), validation_messages(archive=staging / TARBALL_NAME)):
            if problem:
                raise ValueError("invalid HEPData submission: " + "; ".join(problem))
        _replace_directory(staged, directory)
        shutil.move(str(staging / TARBALL_NAME), str(tarball))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
