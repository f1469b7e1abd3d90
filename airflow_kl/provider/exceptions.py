"""Typed task failures. Drift and bad input are facts about the data, not
transient faults: they subclass ``AirflowFailException`` so Airflow does not
retry them. An unreachable database or store raises an ordinary error and is
retried as configured."""

from __future__ import annotations

from .compat import AirflowFailException


class DriftDetected(AirflowFailException):
    """The partition drifted from the reference profile (raised after XCom push).

    Raised by ``KLDriftCheckOperator`` with ``on_drift="fail"``; never retried.
    What to do: read the drift table in the task log or the report (the XCom,
    the Drift report tab); retrain, refresh the reference, or raise the
    feature's threshold if the change is expected."""

    def __init__(self, message: str, report: dict | None = None) -> None:
        super().__init__(message)
        self.report = report or {}


class InsufficientData(AirflowFailException):
    """No feature had ``min_rows`` rows on both sides, so nothing could be judged.

    Raised by the gates with ``on_insufficient_data="fail"``; never retried.
    What to do: check that the partition landed (an empty partition is the
    usual cause), or lower ``min_rows`` for small partitions."""


class InvalidDriftInput(AirflowFailException):
    """Bad options, a corrupted profile or a schema mismatch: retrying cannot help.

    Raised by every operator for an :class:`~airflow_kl.AirflowKLError` (the
    message is the same), and for a path outside ``base_dir``; never retried.
    What to do: as for the error in its message."""


class ValidationFailed(AirflowFailException):
    """A Great Expectations validation of the partition did not succeed (after XCom push).

    Raised by ``GXValidationOperator`` with ``on_failure="fail"``; never
    retried. What to do: the task log lists the failed expectations, and the
    Data Docs link shows each one's result."""
