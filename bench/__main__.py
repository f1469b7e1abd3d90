"""Run every benchmark once and print (or, with --write, store) a Markdown table.

    make bench                                   # print
    .venv/bin/python -m bench --write            # also rewrite bench/RESULTS.md

Each figure is a ratio measured in one run on this machine: the absolute
seconds move with the hardware, the ratios much less.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import warnings
from pathlib import Path

BENCHES = (
    "in_memory",
    "full_flow",
    "parquet_files",
    "engines",
    "warehouses",
    "clickhouse_width",
    "gx_overhead",
    "scale_out",
    "segments",
    "pairs",
    "lakehouse",
    "judging",
    "backtest",
    "import_cost",
    "cli_startup",
)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.0f}"
    return str(value)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--write", action="store_true", help="rewrite bench/RESULTS.md")
    parser.add_argument("--only", choices=BENCHES, action="append")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    from importlib import import_module

    rows: list[dict] = []
    for name in args.only or BENCHES:
        print(f"running {name} ...", file=sys.stderr)
        rows += import_module(f"bench.{name}").run()
    keys = (
        ["benchmark"] + sorted({k for r in rows for k in r} - {"benchmark", "target"}) + ["target"]
    )
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(_cell(r.get(k, "")) for k in keys) + " |" for r in rows]
    table = "\n".join(lines)
    print(table)
    if args.write:
        machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        head = (
            Path(__file__).with_name("RESULTS.md").read_text().split("<!-- results -->")[0]
            if Path(__file__).with_name("RESULTS.md").exists()
            else "# Benchmarks\n\n"
        )
        Path(__file__).with_name("RESULTS.md").write_text(
            f"{head}<!-- results -->\nCommand: `.venv/bin/python -m bench --write` "
            f"({machine})\n\n{table}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
