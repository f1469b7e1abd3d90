"""Text we write for people: names and values shown as the text they are.

Every table, log line, error message, HTML page and chart label that shows a
value the data or the user supplied goes through these, so that

- a control character (a newline in a column name, an escape sequence) is
  shown escaped and cannot forge a line of the drift table or the task log;
- a password is never shown, in any form a URL carries it
  (``user:secret@host``, ``?password=secret``, ``&sslpassword=...``,
  ``?aws_secret_access_key=...``, ``?token=...``).

>>> printable("dep_delay\\ndataset: no drift")
'dep_delay\\\\ndataset: no drift'
>>> masked("postgresql://kl:s3cret@db:5432/flights?sslmode=require&password=s3cret")
'postgresql://kl:***@db:5432/flights?sslmode=require&password=***'
>>> masked("snowflake://kl@acct/db?authenticator=x&token=abc")
'snowflake://kl@acct/db?authenticator=x&token=***'
"""

from __future__ import annotations

import re

# user:password@ in any scheme's authority (not the @ of a path or a query)
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@:\s]*:)[^@/?#\s]+@")
# a query or keyword parameter whose name says it holds a secret
_PARAMETER = re.compile(
    r"(?P<head>(?:[?&;,\s]|^)[A-Za-z0-9_\-]*"
    r"(?:password|passwd|pwd|secret|token|credential|private_key|api_key|apikey|access_key)"
    r"[A-Za-z0-9_\-]*=)[^&;,\s#'\"]+",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def masked(text: str) -> str:
    """``text`` with every password-like value in it replaced by ``***``."""
    return _PARAMETER.sub(r"\g<head>***", _USERINFO.sub(r"\g<head>***@", text))


def printable(text: object) -> str:
    """``str(text)`` with control characters escaped (``\\n``, ``\\x1b``, ...),
    so it stays on one line and reads as the characters it holds."""
    return _CONTROL.sub(lambda m: repr(m[0])[1:-1], str(text))  # '\n' -> \n


def shown(text: object) -> str:
    """What a table, log or error line shows of a value: printable and masked."""
    return masked(printable(text))


def page_title(source: object) -> str:
    """A data location as a report page's title: a local absolute path by its
    last two parts (a worker's or a temporary folder is no one's name for the
    data), anything else as :func:`shown`.

    >>> page_title("/tmp/pytest-7/dags0/flights/month=09")
    '…/flights/month=09'
    >>> page_title("s3://lake/flights/month=09"), page_title("flights/month=09")
    ('s3://lake/flights/month=09', 'flights/month=09')
    """
    text = shown(source)
    parts = text.split("/")
    if text.startswith("/") and len(parts) > 3:
        return "…/" + "/".join(parts[-2:])
    return text


def first_line(error: object) -> str:
    """The first non-empty line of an error's text (a driver's message may run
    on for lines), shown; the error's type when it has no text."""
    text = str(error)
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), type(error).__name__)
    return shown(line)
