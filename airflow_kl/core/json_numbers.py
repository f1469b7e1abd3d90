"""Numbers in strict JSON: infinities as text.

Infinite values (KL with ``smoothing=0`` and an empty reference bin) are
written as the string ``"inf"``: strict JSON has no infinity, and a null
would read as "no value".

>>> json_number(float("inf")), json_number(0.25), parse_number("inf")
('inf', 0.25, inf)
"""

from __future__ import annotations

import math


def json_number(value: float | None) -> float | str | None:
    """A float for strict JSON: finite as is, infinities as ``"inf"``/``"-inf"``."""
    if value is None:
        return None
    value = float(value)
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


def parse_number(value: float | str | None) -> float | None:
    """Inverse of :func:`json_number`."""
    return None if value is None else float(value)
