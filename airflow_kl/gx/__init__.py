"""Great Expectations 1.x: the bin-count metrics and the binned-KL expectation.

Importing this package registers both with GX.
"""

from .expectation import ExpectColumnBinnedKlDivergenceToBeLessThan, load_profile
from .metric import TableAirflowKLBinCounts
from .segment_metric import TableAirflowKLSegmentBinCounts
from .suite import build_suite
from .validation import Validation, load_suite, run_suite, validate

__all__ = [
    "TableAirflowKLBinCounts",
    "TableAirflowKLSegmentBinCounts",
    "ExpectColumnBinnedKlDivergenceToBeLessThan",
    "Validation",
    "build_suite",
    "load_suite",
    "run_suite",
    "load_profile",
    "validate",
]
