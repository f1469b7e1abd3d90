"""CheckSettings: text forms, normalised values, thresholds per feature."""

import json

import numpy as np
import pytest

from airflow_kl.core.errors import ConfigError
from airflow_kl.core.settings import CheckSettings, from_text, parse_threshold


@pytest.mark.parametrize(
    "name,text,value",
    [
        ("alpha", "none", None),
        ("alpha", " OFF ", None),
        ("alpha", "0.05", 0.05),
        ("drift_share", "null", None),
        ("drift_share", "0.5", 0.5),
        ("smoothing", " 0.25 ", 0.25),
        ("smoothing", "none", "none"),  # no None for smoothing: its check refuses the text
        ("min_rows", " 7 ", 7),
        ("min_rows", "7.5", "7.5"),  # refused later by min_rows' own check
        ("correction", "bh", "bh"),
        ("correction", " bh ", "bh"),  # a template's spaces around a word
        ("threshold", "0.2", 0.2),
        ("threshold", "0.1, dep_delay = 0.3", {"*": 0.1, "dep_delay": 0.3}),
        ("threshold", '{"x": "0.4"}', {"x": 0.4}),
        ("base", "bits", "bits"),
    ],
)
def test_text_forms(name, text, value):
    assert from_text(name, text) == value


def test_values_that_are_not_text_pass_through():
    assert from_text("alpha", 0.5) == 0.5 and from_text("threshold", {"x": "0.3"}) == {"x": 0.3}


def test_a_bad_json_threshold_is_named():
    with pytest.raises(ConfigError) as info:
        parse_threshold("{bad")
    assert str(info.value).startswith("threshold '{bad' is not valid JSON (Expecting")


def test_values_are_normalised_to_plain_python_numbers():
    s = CheckSettings(
        threshold=np.float32(0.5),
        alpha=np.float32(0.25),
        smoothing=np.int64(1),
        min_rows=np.int64(5),
        drift_share=np.float32(0.5),
    )
    assert (s.threshold, s.alpha, s.smoothing, s.min_rows, s.drift_share) == (
        0.5,
        0.25,
        1.0,
        5,
        0.5,
    )
    for value in (s.threshold, s.alpha, s.smoothing, s.drift_share):
        assert type(value) is float
    assert type(s.min_rows) is int
    assert json.loads(json.dumps(s.to_dict()))["default_threshold"] == 0.5
    assert CheckSettings(correction="bh").correction == "bh"


def test_thresholds_per_feature_and_their_default():
    s = CheckSettings(threshold={"x": 0.2})
    assert s.threshold_for("x") == 0.2 and s.threshold_for("y") == 0.1
    assert s.to_dict()["threshold"] == {"x": 0.2} and s.to_dict()["default_threshold"] == 0.1
    star = CheckSettings(threshold={"*": 0.3, "x": 0.2})
    assert star.threshold_for("y") == 0.3 and star.threshold == {"x": 0.2}
    scalar = CheckSettings(threshold=0.3)
    assert scalar.threshold_for("y") == 0.3 and scalar.to_dict()["default_threshold"] == 0.3
    with pytest.raises(ConfigError) as info:
        CheckSettings(threshold={"x": -1})
    assert str(info.value) == "threshold['x'] must be a finite number >= 0, got -1"


def test_a_threshold_for_an_unchecked_feature_is_named_with_the_checked_ones():
    s = CheckSettings(threshold={"x": 0.2, "zz": 0.3})
    s.check_features(["x", "zz"])
    with pytest.raises(ConfigError) as info:
        s.check_features(["x", "y"])
    assert str(info.value) == "threshold names unknown feature 'zz'; checked features: x, y"


@pytest.mark.parametrize(
    "options,message",
    [
        ({"direction": "both"}, "direction must be one of ('current||reference', "
         "'reference||current'), got 'both'"),
        ({"base": "bytes"}, "base must be one of ('nats', 'bits'), got 'bytes'"),
        ({"smoothing": "none"}, "smoothing must be a number >= 0, got 'none'"),
        ({"min_rows": "7.5"}, "min_rows must be an integer >= 1, got '7.5'"),
        ({"base": 2}, "base must be one of ('nats', 'bits'), got 2"),
    ],
)  # fmt: skip
def test_bad_options_are_named(options, message):
    with pytest.raises(ConfigError) as info:
        CheckSettings.from_options(options)
    assert str(info.value) == message


def test_docs_table_is_the_settings_table():
    """The docs' options table is generated from OPTIONS, so it cannot drift."""
    import re
    from pathlib import Path

    from airflow_kl.core.settings import options_table

    page = Path(__file__).resolve().parents[2] / "docs" / "reference" / "options.md"
    block = re.search(r"<!-- options -->\n(.*?)\n<!-- /options -->", page.read_text(), re.S)
    table = options_table()
    assert block is not None and block.group(1) == table
    assert table.splitlines()[2] == (
        "| `threshold` | `--threshold` | `threshold` | `threshold` | `0.1` | KL at or above "
        "which a feature drifts; per feature as 0.1,dep_delay=0.2 or a mapping "
        '{"*": 0.1, "dep_delay": 0.2} |'
    )
    assert (
        "| `correction` | `--correction` | `correction` | `correction` | `holm` | `holm`, "
        "`bonferroni`, `bh`, `none` |"
    ) in table
    assert "| `drift_share` | `--drift-share` | `drift_share` | — | `None` |" in table


def test_to_dict_is_a_copy():
    s = CheckSettings(threshold={"x": 0.2})
    out = s.to_dict()
    out["threshold"]["x"] = 9.0
    assert s.threshold == {"x": 0.2} and s.threshold_for("x") == 0.2
