"""airflow-kl: binned KL-divergence drift checks for batch data."""

from .api import build_profile, check_drift, count_bins
from .core.compare import CheckSettings
from .core.errors import AirflowKLError, ConfigError, ProfileError, SchemaError, SourceError
from .core.profile import FeatureProfile, Profile
from .core.report import DriftReport, FeatureResult

__version__ = "0.1.0"

__all__ = [
    "AirflowKLError",
    "CheckSettings",
    "ConfigError",
    "DriftReport",
    "FeatureProfile",
    "FeatureResult",
    "Profile",
    "ProfileError",
    "SchemaError",
    "SourceError",
    "build_profile",
    "check_drift",
    "count_bins",
]
