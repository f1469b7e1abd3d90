"""Great Expectations 1.x: the bin-count metrics, the binned-KL expectation and
the pair expectation.

Importing this package registers them with GX.
"""

from .expectation import ExpectColumnBinnedKlDivergenceToBeLessThan, load_profile
from .metric import TableAirflowKLBinCounts
from .pair_expectation import ExpectColumnPairDependenceDriftToBeLessThan
from .pair_metric import TableAirflowKLPairBinCounts
from .segment_metric import TableAirflowKLSegmentBinCounts
from .suite import build_suite
from .validation import Validation, load_suite, run_suite, validate

__all__ = [
    "TableAirflowKLBinCounts",
    "TableAirflowKLSegmentBinCounts",
    "TableAirflowKLPairBinCounts",
    "ExpectColumnBinnedKlDivergenceToBeLessThan",
    "ExpectColumnPairDependenceDriftToBeLessThan",
    "Validation",
    "build_suite",
    "load_suite",
    "run_suite",
    "load_profile",
    "validate",
]
