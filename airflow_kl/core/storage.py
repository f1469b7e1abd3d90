"""Renamed :mod:`airflow_kl.core.file_io` (its name read like the report
store's); this name is kept for DAGs written against 0.5 and warns."""

import warnings

from .file_io import (  # noqa: F401
    atomic_write_bytes,
    atomic_write_text,
    is_object_path,
    is_uri,
    local_path,
    read_text,
    remote_fs,
    storage_errors,
    within,
)

warnings.warn(
    "airflow_kl.core.storage is airflow_kl.core.file_io now; import from there",
    DeprecationWarning,
    stacklevel=2,
)
