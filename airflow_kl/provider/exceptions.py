"""Typed task failures. Drift and bad input are facts about the data, not
transient faults: they subclass ``AirflowFailException`` so Airflow does not
retry them. An unreachable database or store raises an ordinary error and is
retried as configured."""

from __future__ import annotations

from .compat import AirflowFailException


class DriftDetected(AirflowFailException):
    """The partition drifted from the reference profile (raised after XCom push)."""

    def __init__(self, message: str, report: dict | None = None) -> None:
        super().__init__(message)
        self.report = report or {}


class InsufficientData(AirflowFailException):
    """No feature had ``min_rows`` rows on both sides, so nothing could be judged."""


class InvalidDriftInput(AirflowFailException):
    """Bad options, a corrupted profile or a schema mismatch: retrying cannot help."""


class ValidationFailed(AirflowFailException):
    """A Great Expectations validation of the partition did not succeed (after XCom push)."""
