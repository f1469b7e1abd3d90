"""Typed errors. Every one is a ``ValueError`` so callers that only know the
standard library still catch bad input, and every message names the value."""


class AirflowKLError(ValueError):
    """Base class of every error airflow-kl raises for bad input."""


class ConfigError(AirflowKLError):
    """An option has a value outside its domain (threshold, alpha, bins, ...)."""


class ProfileError(AirflowKLError):
    """A profile is malformed, corrupted, of another format or version."""


class SchemaError(AirflowKLError):
    """The data does not have the columns or types the profile expects."""


class SourceError(AirflowKLError):
    """A data location cannot be read as a table (missing file, bad format)."""


class StorageUnavailable(ConnectionError):
    """Object storage could not be reached: a transient fault, worth a retry
    (not an :class:`AirflowKLError`: the input may well be right)."""
