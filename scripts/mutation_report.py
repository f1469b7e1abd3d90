"""Write tests/MUTATION.md from the last `mutmut run`: the score, survivors per
module, and every surviving mutant's diff line with its reason when it is an
equivalent mutant (tests/mutation_equivalent.toml), so the rest stand out as
mutants a test must still kill.

Each reason carries the hash of its function's code when it was written
(mutmut's own function hash). A reason whose function has changed since is
stale: its mutant's number may now name another mutation, and what made it
equivalent may no longer hold. Stale reasons fail the report (and
tests/test_mutation_reasons.py) until they are checked again and stamped:

    scripts/mutation_report.py --stale           list the stale reasons
    scripts/mutation_report.py --stamp NAME ...  record that NAME's reason was checked
"""

from __future__ import annotations

import collections
import json
import sys
import tomllib
from pathlib import Path

EQUIVALENT = Path(__file__).resolve().parents[1] / "tests" / "mutation_equivalent.toml"
SHARED = 5  # a reason given to more entries than this is listed for review


def mutants() -> dict[str, tuple[str, Path]]:
    """Every mutant of the last run: ``{name: (status, source path)}``."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    found = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, code in data.exit_code_by_key.items():
            found[name] = (status_by_exit_code[code], path)
    return found


ROOT = EQUIVALENT.parents[1]


def load_reasons(path: Path = EQUIVALENT) -> dict[str, dict[str, str]]:
    """``{mutant: {"reason": ..., "function": hash or ""}}`` from the TOML file."""
    raw = tomllib.loads(path.read_text()) if path.exists() else {}
    return {
        name: {"reason": v, "function": ""} if isinstance(v, str) else dict(v)
        for name, v in raw.items()
    }


def save_reasons(reasons: dict[str, dict[str, str]], path: Path = EQUIVALENT) -> None:
    """Write the reasons back, keeping the file's leading comment."""
    head = "".join(ln for ln in path.read_text().splitlines(True) if ln.startswith("#"))
    text = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731 (a TOML basic string)
    lines = [
        f"{text(name)} = {{ reason = {text(r['reason'])}, function = {text(r['function'])} }}"
        for name, r in sorted(reasons.items())
    ]
    path.write_text(head + "\n" + "\n".join(lines) + "\n")


def function_hash(mutant: str) -> str | None:
    """mutmut's hash of the code of the function ``mutant`` mutates, as it is
    now; None when that function is gone."""
    from mutmut.mutation.file_mutation import compute_function_hashes
    from mutmut.utils.format_utils import mangled_name_from_mutant_name

    module, _, function = mangled_name_from_mutant_name(mutant).rpartition(".")
    source = ROOT / (module.replace(".", "/") + ".py")
    if not source.exists():
        return None
    return compute_function_hashes(source.read_text()).get(function)


def stale_reasons(reasons: dict[str, dict[str, str]]) -> list[str]:
    """The mutants whose function changed after their reason was written."""
    return sorted(n for n, r in reasons.items() if function_hash(n) != r["function"])


def main() -> int:
    args = sys.argv[1:]
    everything = load_reasons()
    if args[:1] == ["--stamp"]:
        for name in args[1:]:
            everything[name]["function"] = function_hash(name) or ""
        save_reasons(everything)
        return 0
    stale = stale_reasons(everything)
    if args[:1] == ["--stale"]:
        print("\n".join(f"{n}: {everything[n]['reason']}" for n in stale))
        return 1 if stale else 0
    reasons = {n: r["reason"] for n, r in everything.items()}
    found = mutants()
    states = {name: status for name, (status, _) in found.items()}
    counts = collections.Counter(states.values())
    survivors = sorted(n for n, s in states.items() if s == "survived")
    untested = sorted(n for n, s in states.items() if s == "no tests")
    open_ = [n for n in survivors if n not in reasons]
    killed, total = counts.get("killed", 0), len(states)
    judged = killed + len(survivors)
    print("# Mutation testing\n")
    print(
        "Produced by `make mutation` (mutmut over `airflow_kl/core/`, the sources' "
        "counting code and the provider's decision code; tests and settings in "
        "`[tool.mutmut]` of pyproject.toml). Equivalent mutants and why: "
        "`tests/mutation_equivalent.toml`.\n"
    )
    print(
        f"- mutants: {total}; killed {killed}; survived {len(survivors)} "
        f"({len(survivors) - len(open_)} equivalent, {len(open_)} not); "
        f"not reached by the selected tests {len(untested)}; "
        f"timeouts {counts.get('timeout', 0)}"
    )
    if judged:
        print(f"- killed over non-equivalent mutants reached: {killed / (killed + len(open_)):.1%}")
    by_module = collections.Counter(".".join(n.split(".")[1:3]) for n in open_)
    if by_module:
        print("\n| module | non-equivalent survivors |\n|---|---|")
        for module, n in by_module.most_common():
            print(f"| `{module}` | {n} |")
    for title, names in (
        ("Surviving mutants no test kills yet", open_),
        ("Mutants no selected test reaches", untested),
    ):
        print(f"\n## {title}\n")
        for name in names:
            print(f"- `{name}`: `{_diff(name, found[name][1])}`")
        if not names:
            print("None.")
    print("\n## Equivalent survivors\n")
    for name in survivors:
        if name in reasons:
            print(f"- `{name}`: `{_diff(name, found[name][1])}` — {reasons[name]}")
    killed_anyway = sorted(n for n in reasons if states.get(n) == "killed")
    gone = sorted(n for n in reasons if n not in states)
    if killed_anyway:
        print(
            "\nGiven a reason, but killed in this run (a test that failed under the "
            "parallel load, or a reason that no longer holds):\n"
        )
        print("\n".join(f"- `{name}`" for name in killed_anyway))
    if gone:
        print("\nReasons for mutants that no longer exist (remove them):\n")
        print("\n".join(f"- `{name}`" for name in gone))
    shared = [(r, n) for r, n in collections.Counter(reasons.values()).most_common() if n > SHARED]
    if shared:
        print(f"\nReasons given to more than {SHARED} entries (check each applies):\n")
        print("\n".join(f"- {n} entries: {r}" for r, n in shared))
    if stale:
        print(
            "\nReasons whose function changed after they were written (check each, "
            "then `scripts/mutation_report.py --stamp NAME`):\n"
        )
        print("\n".join(f"- `{name}`" for name in stale))
    return 1 if killed_anyway or gone or stale else 0


def _diff(name: str, path: Path) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    lines = [ln for ln in get_diff_for_mutant(name, path=path).splitlines() if ln.startswith("+ ")]
    return lines[0][2:].strip().replace("`", "'") if lines else ""


if __name__ == "__main__":
    sys.exit(main())
