"""Write tests/MUTATION.md from the last `mutmut run`: the score, survivors per
module, and every surviving mutant's diff line, so each can be given a reason
(an equivalent mutant) or a test."""

from __future__ import annotations

import collections
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def mutmut(*args: str) -> str:
    return subprocess.run([str(BIN / "mutmut"), *args], capture_output=True, text=True).stdout


def main() -> int:
    states: dict[str, str] = {}
    for line in mutmut("results", "--all", "true").splitlines():
        name, _, state = line.strip().rpartition(": ")
        if name:
            states[name] = state
    counts = collections.Counter(states.values())
    survivors = sorted(n for n, s in states.items() if s == "survived")
    by_module = collections.Counter(n.split(".")[2] for n in survivors)
    killed, total = counts.get("killed", 0), len(states)
    judged = killed + len(survivors)
    print("# Mutation testing of `airflow_kl/core`\n")
    print("Produced by `make mutation` (mutmut; tests and settings in `[tool.mutmut]`).\n")
    print(
        f"- mutants: {total}; killed {killed}; survived {len(survivors)}; "
        f"not covered by the selected tests {counts.get('no tests', 0)}; "
        f"timeouts {counts.get('timeout', 0)}"
    )
    if judged:
        print(f"- score over covered mutants: {killed / judged:.1%}\n")
    print("| module | survivors |\n|---|---|")
    for module, n in by_module.most_common():
        print(f"| `core/{module}.py` | {n} |")
    print(
        "\nThe target is no surviving non-equivalent mutant in `core/`. Each survivor "
        "below needs a test that kills it, or a reason it is equivalent (the same "
        "behaviour by construction, e.g. `zip(strict=False)` on lists of equal length)."
    )
    print("\n## Survivors\n")
    for name in survivors:
        diff = [ln for ln in mutmut("show", name).splitlines() if ln.startswith("+ ")]
        print(f"- `{name}`: `{diff[0][2:].strip() if diff else ''}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
