"""Typed errors. Every one is a ``ValueError`` so callers that only know the
standard library still catch bad input, and every message names the value."""


class AirflowKLError(ValueError):
    """Base class of every error airflow-kl raises for bad input. Raised before
    anything is written, so what was stored stays whole.

    What to do: read the message; it names the problem and the value. Catch
    this class (or ``ValueError``) to handle every kind below at once."""


class ConfigError(AirflowKLError):
    """An option has a value outside its domain (threshold, alpha, bins, ...).

    Raised by every entry point that takes options (``build_profile``,
    ``check_drift``, ``CheckSettings``, the CLI, the operators, the GX
    expectation), before any data is read. What to do: give a value the
    message allows (the options reference lists each option's domain)."""


class ProfileError(AirflowKLError):
    """A profile is malformed, corrupted, of another format or version.

    Raised by ``Profile.load``/``from_dict`` (a checksum that does not match,
    a missing field, a newer ``format_version``) and by merges of parts counted
    in other bins. What to do: rebuild the profile from its reference, or
    upgrade airflow-kl when the profile was written by a newer version."""


class SchemaError(AirflowKLError):
    """The data does not have the columns or types the profile expects.

    Raised by checks and counts when a profiled column is missing, or holds
    another value type than the profile recorded (a number column that became
    text), and by profiles of a column whose type no engine compares (binary,
    durations, lists). What to do: fix the partition's schema, cast the
    column, or leave the feature out with ``features``."""


class SourceError(AirflowKLError):
    """A data location cannot be read as a table (missing file, bad format).

    Raised for a missing file, folder, object or bucket, a corrupted Parquet
    or CSV file, a refused credential, and anything a database says about the
    query itself (a missing table or column, a syntax error, a permission).
    Not retried in Airflow. What to do: fix the path, the table or the
    credentials the message names."""


class StoreError(AirflowKLError):
    """The report store or results history database cannot be used.

    Raised by ``ReportStore``, ``record``/``trend`` and the CLI's
    ``--history-db``/``--store``/``--from-store`` when the URL names no
    database SQLAlchemy knows, the file cannot be opened or written (a missing
    folder, a read-only file), or the database refuses the statement. Nothing
    was written. What to do: fix the URL, the path or its permissions."""


class DatabaseUnavailable(ConnectionError):
    """The database could not be reached: a transient fault, worth a retry.

    Raised for a lost connection, a statement timeout, a lock or a
    serialization failure (by SQLSTATE class, or the driver's code), by SQL
    sources and by the report store alike. Airflow retries it as the task's
    ``retries`` say. What to do: nothing when it passes on a retry; otherwise
    check the database's address and load."""


class StorageUnavailable(ConnectionError):
    """Object storage could not be reached: a transient fault, worth a retry
    (not an :class:`AirflowKLError`: the input may well be right).

    Raised when an endpoint does not answer or a connection breaks. Airflow
    retries it as the task's ``retries`` say. What to do: check the endpoint
    (``AWS_ENDPOINT_URL``, the connection's host) and the network."""
