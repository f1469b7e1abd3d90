"""JSON that people and programs hand us (profiles, reports, options), read
strictly: one error type with one line, whatever is wrong with the text.

Standard JSON only (no ``NaN``/``Infinity`` tokens), no key given twice in an
object, and the text's own limits turned into the caller's error: a nesting
deep enough to exhaust Python's recursion, or an integer longer than Python
converts (4,300 digits), is a malformed file, not a crash.

>>> strict_json('{"a": [1, 2.5]}', "profile", ValueError)
{'a': [1, 2.5]}
>>> strict_json("[" * 100_000 + "]" * 100_000, "profile", ValueError)
Traceback (most recent call last):
...
ValueError: profile is not valid JSON: nested too deeply
>>> strict_json('{"n": ' + "9" * 5000 + "}", "profile", ValueError)
Traceback (most recent call last):
...
ValueError: profile is not valid JSON: a number of more than 4300 digits
>>> strict_json('{"a": 1, "a": 2}', "profile", ValueError)
Traceback (most recent call last):
...
ValueError: profile JSON repeats the key 'a'
"""

from __future__ import annotations

import json
import sys
from typing import Any


def strict_json(text: str, what: str, error: type[Exception]) -> Any:
    """``text`` parsed as strict JSON; anything else raises ``error`` naming ``what``."""

    ours: list[Exception] = []  # an error the hooks below raised, passed through as is

    def refuse(message: str) -> Exception:
        ours.append(error(message))
        return ours[-1]

    def constant(token: str) -> Any:
        raise refuse(f"{what} JSON has the non-standard token {token}; expected strict JSON")

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) != len(pairs):
            seen: set[str] = set()
            twice = next(k for k, _ in pairs if k in seen or seen.add(k))
            raise refuse(f"{what} JSON repeats the key {twice!r}")
        return found

    try:
        return json.loads(text, parse_constant=constant, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise error(f"{what} is not valid JSON ({exc}); truncated?") from None
    except RecursionError:
        raise error(f"{what} is not valid JSON: nested too deeply") from None
    except ValueError:
        if ours:  # raised by a hook above: already the caller's error
            raise ours[0] from None
        # json.loads's one other ValueError: an integer past Python's digit limit
        limit = sys.get_int_max_str_digits()
        raise error(f"{what} is not valid JSON: a number of more than {limit} digits") from None
