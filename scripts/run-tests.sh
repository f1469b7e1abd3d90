#!/usr/bin/env bash
# The whole suite on the lock, and beside it (one after another, in the
# background) the compatibility tests of each environment named: the two
# share the machine's cores instead of taking turns. The tests that assert a
# process's peak memory (marker "alone") run first, on a quiet machine.
# Each compatibility run's output is printed when it ends; the exit status is
# non-zero if any failed.
#
#   scripts/run-tests.sh [ENV ...]
set -uo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d /tmp/airflow-kl-compat-logs.XXXXXX)
for env in "$@"; do bash scripts/compat.sh build "$env" || exit 1; done
.venv/bin/python -m pytest -q -m alone
alone=$?
(
  for env in "$@"; do
    bash scripts/compat.sh test "$env" > "$logs/$env.log" 2>&1
    echo $? > "$logs/$env.rc"
  done
) &
compat=$!
.venv/bin/python -m pytest -q -m "not alone"
main=$?
wait "$compat"
status=$(( main || alone ))
for env in "$@"; do
  echo "== compat $env (log below)"
  tail -n 40 "$logs/$env.log"
  rc=$(cat "$logs/$env.rc" 2>/dev/null || echo 1)
  [ "$rc" -eq 0 ] || { echo "compat $env FAILED (exit $rc)"; status=1; }
done
rm -rf "$logs"
exit $status
