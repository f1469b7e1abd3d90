"""Text written for people: control characters escaped, passwords masked in
every form a URL or a connection string carries them."""

import pytest

from airflow_kl.core.text import first_line, masked, printable, shown


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgresql://kl:s3cret@db/flights", "postgresql://kl:***@db/flights"),
        ("postgresql+psycopg2://kl:p%40ss@db:5432/f", "postgresql+psycopg2://kl:***@db:5432/f"),
        ("mysql://kl@db/f?password=s3cret", "mysql://kl@db/f?password=***"),
        (
            "mysql://kl@db/f?charset=utf8&PASSWORD=s3cret&x=1",
            "mysql://kl@db/f?charset=utf8&PASSWORD=***&x=1",
        ),
        ("postgresql://db/f?sslpassword=k", "postgresql://db/f?sslpassword=***"),
        ("snowflake://kl@acct/db?token=abc;role=x", "snowflake://kl@acct/db?token=***;role=x"),
        ("s3://b/k?aws_secret_access_key=abc", "s3://b/k?aws_secret_access_key=***"),
        ("host=db password=s3cret dbname=f", "host=db password=*** dbname=f"),
        ("https://u:pw@host/x.parquet", "https://u:***@host/x.parquet"),
        ("error at 'mysql://kl:pw@db/f': refused", "error at 'mysql://kl:***@db/f': refused"),
        # nothing secret: unchanged
        ("postgresql://kl@db/flights", "postgresql://kl@db/flights"),
        ("postgresql://kl:@db/flights", "postgresql://kl:@db/flights"),
        ("sqlite:///reports/a@b.db", "sqlite:///reports/a@b.db"),
        ("s3://bucket/key@v1", "s3://bucket/key@v1"),
        ("mysql://kl@db/f?password=", "mysql://kl@db/f?password="),
        ("flights/month=09", "flights/month=09"),
    ],
)
def test_every_form_of_password_is_masked(given, expected):
    assert masked(given) == expected


@pytest.mark.parametrize(
    "given, expected",
    [
        ("dep_delay\ndataset: no drift", "dep_delay\\ndataset: no drift"),
        ("a\rb\tc", "a\\rb\\tc"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("nul\x00", "nul\\x00"),
        ("del\x7f c1\x85", "del\\x7f c1\\x85"),
        ("line\u2028sep", "line\\u2028sep"),
        ("price $5 and $6 — ünïcode", "price $5 and $6 — ünïcode"),
        (3.5, "3.5"),
    ],
)
def test_control_characters_are_escaped_and_the_rest_kept(given, expected):
    assert printable(given) == expected
    assert "\n" not in printable(given)


def test_shown_escapes_then_masks_and_first_line_takes_one_line():
    assert shown("x\nmysql://u:pw@h/d") == "x\\nmysql://u:***@h/d"
    assert first_line(ValueError("\n  first  \nsecond")) == "first"
    assert first_line(ValueError("")) == "ValueError"
    assert first_line(RuntimeError("bad mysql://u:pw@h/d")) == "bad mysql://u:***@h/d"
