"""Strict JSON input: every malformed text is the caller's one typed error."""

import pytest

from airflow_kl.core.errors import ConfigError, ProfileError
from airflow_kl.core.json_input import strict_json


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"a": NaN}', "profile JSON has the non-standard token NaN; expected strict JSON"),
        ('{"a": [-Infinity]}', "profile JSON has the non-standard token -Infinity; expected"),
        ('{"a": {"b": 1, "b": 2}}', "profile JSON repeats the key 'b'"),
        ('{"b": 1, "a": 2, "a": 3}', "profile JSON repeats the key 'a'"),
        ('{"a": 1', "profile is not valid JSON (Expecting ',' delimiter"),
        ("[" * 100_000 + "]" * 100_000, "profile is not valid JSON: nested too deeply"),
        (
            '{"n": ' + "7" * 5000 + "}",
            "profile is not valid JSON: a number of more than 4300 digits",
        ),
        ("", "profile is not valid JSON (Expecting value"),
    ],
)
def test_malformed_text_is_the_callers_error(text, message):
    with pytest.raises(ProfileError) as info:
        strict_json(text, "profile", ProfileError)
    assert str(info.value).startswith(message)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_strict_json_reads_what_is_standard():
    assert strict_json('{"n": ' + "9" * 4000 + ', "x": [1.5e300, null]}', "r", ConfigError) == {
        "n": int("9" * 4000),
        "x": [1.5e300, None],
    }
    assert strict_json('{"a": {"a": 1}}', "r", ConfigError) == {"a": {"a": 1}}


def test_a_profile_names_itself_in_its_json_errors():
    from airflow_kl.core.profile import Profile

    for text, said in (("{", "profile is not valid JSON ("), ('{"a": NaN}', "profile JSON has")):
        with pytest.raises(ProfileError) as info:
            Profile.from_json(text)
        assert str(info.value).startswith(said)
