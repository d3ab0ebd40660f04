"""Options: reference names, JSON round trip, overrides and validation errors naming the key."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from multihiggs.methods import SPANET_VARIANTS
from multihiggs.spanet.options import (
    ABLATION_OPTIONS,
    COMPATIBILITY_ONLY_OPTIONS,
    OptionsError,
    SpanetOptions,
    parse_override,
)

OPTION_FILES = Path(__file__).resolve().parents[2] / "config" / "options"


@pytest.mark.parametrize("variant", sorted(SPANET_VARIANTS))
def test_variant_options_keep_the_seed_hyperparameters(variant):
    options = SpanetOptions.load(OPTION_FILES / "base.json").updated(dict(SPANET_VARIANTS[variant].options))
    assert (options.hidden_dim, options.transformer_dim, options.num_attention_heads) == (64, 32, 4)
    assert (options.learning_rate, options.dropout, options.batch_size) == (0.0015, 0.2, 4096)
    assert options.partial_events and options.balance_particles
    assert options.use_mass_weights == (variant == "flat_mass")
    head = SPANET_VARIANTS[variant].classification_head
    assert (options.classification_loss_scale > 0) == (variant == "kl_mixed") == head


def test_production_options_leave_the_ablation_switches_off():
    configs = [
        yaml.safe_load(path.read_text()) for path in OPTION_FILES.parent.glob("*.yaml") if "spanet" in path.read_text()
    ]
    for config in (c for c in configs if isinstance(c, dict) and "spanet" in c):
        overrides = [config["spanet"]["options"], *config["spanet"].get("analysis_options", {}).values()]
        assert not any(set(override) & ABLATION_OPTIONS for override in overrides)
    for variant in SPANET_VARIANTS.values():
        options = SpanetOptions.load(OPTION_FILES / "base.json").updated(dict(variant.options))
        assert not any(getattr(options, name) for name in ABLATION_OPTIONS)


def test_base_options_repeat_no_compatibility_only_key():
    keys = set(json.loads((OPTION_FILES / "base.json").read_text()))
    assert not keys & COMPATIBILITY_ONLY_OPTIONS
    assert keys <= {field.name for field in dataclasses.fields(SpanetOptions)}


def test_reference_style_file_loads(tmp_path):
    reference_like = {
        "hidden_dim": 64,
        "transformer_dim": 64,
        "linear_block_type": "GRU",
        "transformer_type": "Gated",
        "normalization": "LayerNorm",
        "masking": "Filling",
        "partial_events": 1,
        "balance_particles": 1,
        "num_dataloader_workers": 16,
        "optimizer": "AdamW",
        "combine_pair_loss": "min",
        "num_gpu": 1,
        "event_info_file": "./event_files/full_hadronic_ttbar.yaml",
        "verbose_output": True,
    }
    path = tmp_path / "reference.json"
    path.write_text(json.dumps(reference_like))
    options = SpanetOptions.load(path)
    assert options.partial_events is True and options.num_dataloader_workers == 16


def test_round_trip(tmp_path):
    options = SpanetOptions().updated({"hidden_dim": 32, "epochs": 3})
    options.save(tmp_path / "options.json")
    assert SpanetOptions.load(tmp_path / "options.json") == options


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hiden_dim": 32}, "hiden_dim"),
        ({"hidden_dim": 31.5}, "hidden_dim"),
        ({"partial_events": 2}, "partial_events"),
        ({"dropout": 1.5}, "dropout"),
        ({"num_attention_heads": 5}, "num_attention_heads"),
        ({"optimizer": "Adamm"}, "optimizer"),
        ({"kl_loss_scale": 1.0}, "kl_loss_scale"),
        ({"combine_pair_loss": "max"}, "combine_pair_loss"),
        ({"learning_rate": "fast"}, "learning_rate"),
    ],
)
def test_bad_options_name_the_key(overrides, message):
    with pytest.raises(OptionsError, match=message):
        SpanetOptions.from_dict(overrides)


def test_command_line_overrides():
    assert parse_override("learning_rate=0.01") == ("learning_rate", 0.01)
    assert parse_override("optimizer=Adam") == ("optimizer", "Adam")
    assert parse_override("partial_events=false") == ("partial_events", False)
    with pytest.raises(OptionsError, match="key=value"):
        parse_override("epochs")
    assert SpanetOptions().updated(dict([parse_override("epochs=7")])).epochs == 7
