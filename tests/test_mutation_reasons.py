"""The reasons given for equivalent mutants still describe the code: each
was checked against its function as it was then (mutmut's hash of the
function, recorded beside the reason), and a function that changed since
makes its reasons stale until they are checked again and stamped
(``scripts/mutation_report.py --stale`` lists them, ``--stamp NAME`` records
the check). A changed function renumbers its mutants, so a stale reason may
even describe another mutation."""

import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def test_no_reason_is_stale():
    sys.path.insert(0, str(SCRIPTS))
    try:
        import mutation_report
    finally:
        sys.path.remove(str(SCRIPTS))
    reasons = mutation_report.load_reasons()
    assert reasons, "tests/mutation_equivalent.toml lists no reasons"
    assert all(r["function"] for r in reasons.values()), "every reason is stamped"
    assert mutation_report.stale_reasons(reasons) == []
