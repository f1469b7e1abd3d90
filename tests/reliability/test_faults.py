"""A process killed mid-write leaves the previous file whole.

The writer reports every completed write on stdout while a reader polls the
file in a tight loop; after N reported writes the writer is killed with
SIGKILL. Every read, and the file left behind, must be one of the two
versions byte for byte: never empty, never truncated. Each version is
megabytes long, so a writer that wrote in place (no temp file + rename) is
caught half-way by the reader in every round.
"""

import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pandas as pd

import airflow_kl as ak

WRITER = """
import sys
import numpy as np, pandas as pd, airflow_kl as ak
from airflow_kl.core.file_io import atomic_write_text
target, kind, versions_file = sys.argv[1], sys.argv[2], sys.argv[3]
rng = np.random.default_rng(0)
frames = [pd.DataFrame({f"x{i}": rng.normal(size=2000) for i in range(300)}) for _ in range(2)]
profiles = [ak.build_profile(f, bins=200) for f in frames]
texts = (
    [p.to_json() for p in profiles]
    if kind == "profile"
    else [ak.check_drift(p, frames[1]).to_json() for p in profiles]
)
with open(versions_file, "w") as out:
    out.write("\\0".join(texts))
print("ready", flush=True)
i = 0
while True:
    if kind == "profile":
        profiles[i % 2].save(target)
    else:
        atomic_write_text(target, texts[i % 2])
    i += 1
    print(f"wrote {i}", flush=True)
"""


def kill_after_writes(tmp_path, kind, rounds=2, writes=15):
    """Per round, a reader polls the file in a tight loop while the writer completes
    ``writes`` writes, then the writer is killed mid-write. Returns the target and,
    per round, (every text read or found after the kill, the two versions)."""
    target, versions_file = tmp_path / f"{kind}.json", tmp_path / f"{kind}.versions"
    rounds_seen = []
    for _ in range(rounds):
        target.unlink(missing_ok=True)  # each round's versions differ (created_at)
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), kind, str(versions_file)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "ready"
        texts = versions_file.read_text().split("\0")
        reads, stop = set(), threading.Event()

        def poll(stop=stop, reads=reads, texts=texts):
            while not stop.is_set():
                if target.exists():
                    text = target.read_text()
                    reads.add(text if text in texts else f"<{len(text)} chars>")

        reader = threading.Thread(target=poll)
        reader.start()
        for n in range(1, writes + 1):
            assert proc.stdout.readline().strip() == f"wrote {n}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        reader.join()
        found = target.read_text()
        rounds_seen.append((reads | {found if found in texts else f"<{len(found)} chars>"}, texts))
    return target, rounds_seen


def assert_old_or_new_each_time(target, rounds_seen):
    for seen, texts in rounds_seen:
        assert all(len(t) > 1_000_000 for t in texts) and texts[0] != texts[1]
        partial = sorted(s for s in seen if s not in texts)
        assert not partial, f"read a file that was neither version: {partial[:3]}"
    leftovers = [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= len(rounds_seen)  # a killed writer may leave its temp file only
    assert all(name.startswith(f".{target.name}.") for name in leftovers)


def test_profile_survives_sigkill(tmp_path):
    target, seen = kill_after_writes(tmp_path, "profile")
    assert_old_or_new_each_time(target, seen)
    ak.Profile.load(target)  # and it verifies


def test_report_survives_sigkill(tmp_path):
    target, seen = kill_after_writes(tmp_path, "report")
    assert_old_or_new_each_time(target, seen)


def test_writing_after_a_kill_still_replaces_the_file(tmp_path):
    target = tmp_path / "p.json"
    profile = ak.build_profile(pd.DataFrame({"x": np.arange(300.0)}))
    (tmp_path / f".{target.name}.leftover.tmp").write_text("half a file")
    profile.save(target)
    assert ak.Profile.load(target) == profile
