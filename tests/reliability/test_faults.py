"""A process killed mid-write leaves the previous file whole."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd

import airflow_kl as ak

WRITER = """
import sys, numpy as np, pandas as pd, airflow_kl as ak
from airflow_kl.core.storage import atomic_write_text
target, kind = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(0)
frames = [pd.DataFrame({f"x{i}": rng.normal(size=2000) for i in range(60)}) for _ in range(2)]
profiles = [ak.build_profile(f, bins=50) for f in frames]
reports = [ak.check_drift(p, frames[1]).to_json() for p in profiles]
print("ready", flush=True)
i = 0
while True:
    if kind == "profile":
        profiles[i % 2].save(target)
    else:
        atomic_write_text(target, reports[i % 2])
    i += 1
"""


def kill_while_writing(target, kind, rounds=5):
    seen = []
    for r in range(rounds):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), kind], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.037 * r)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        seen.append(target.read_text())
    return seen


def test_profile_survives_sigkill(tmp_path):
    target = tmp_path / "profile.json"
    ak.build_profile(pd.DataFrame({"x": np.arange(10.0)})).save(target)
    checksums = set()
    for text in kill_while_writing(target, "profile"):
        checksums.add(ak.Profile.from_json(text).checksum)  # whole and valid every time
    assert len(checksums) >= 1


def test_report_survives_sigkill(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("{}")
    for text in kill_while_writing(target, "report", rounds=3):
        data = json.loads(text)
        assert data == {} or set(data) >= {"drifted", "features"}
