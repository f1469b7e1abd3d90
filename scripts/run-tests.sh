#!/usr/bin/env bash
# make test: everything the suite needs, then the whole suite, each stage timed.
#
#   1. system packages (scripts/system-deps.sh), the venv, ruff;
#   2. the tests that assert a process's peak memory (marker "alone"), on a
#      quiet machine;
#   3. side by side, sharing the two cores: the rest of the suite on the lock,
#      and the compatibility environments named, one after another (each built,
#      then its tests: scripts/compat.sh says what each is there for), then
#      the lock's tests of LATER_LANE, which even out the two sides' time.
#
# At its end it prints how long each stage took, against CI's 90 minutes, and
# exits non-zero if any stage failed.
#
#   scripts/run-tests.sh [ENV ...]
set -uo pipefail
cd "$(dirname "$0")/.."
BUDGET=5400 # CI's limit, in seconds
logs=$(mktemp -d /tmp/airflow-kl-test-logs.XXXXXX)
start=$SECONDS
status=0

# stage NAME COMMAND...: run it, record "NAME seconds exit-status" in $logs/times.
stage() {
  local name=$1 t0=$SECONDS rc
  shift
  "$@"
  rc=$?
  printf '%s\t%s\t%s\n' "$name" $((SECONDS - t0)) "$rc" >> "$logs/times"
  return "$rc"
}

report() {
  echo
  echo "== time per stage (CI allows $BUDGET s)"
  while IFS=$'\t' read -r name secs rc; do
    printf '  %-34s %5d s%s\n' "$name" "$secs" "$([ "$rc" = 0 ] || echo "  FAILED ($rc)")"
  done < "$logs/times"
  printf '  %-34s %5d s (%d%% of the budget)\n' "whole run" $((SECONDS - start)) \
    $(((SECONDS - start) * 100 / BUDGET))
  rm -rf "$logs"
}
trap report EXIT

# Lock tests run on the compatibility side, after its environments, so that
# both sides end at about the same time: the 1,000-feature matrix and the
# SQL dialects' wide cases (about 350 s), the year's backtests on PostgreSQL
# and Spark (about 100 s), the lakehouse tables (about 80 s) and the UI's
# scheduled deployment (about 60 s).
LATER_LANE=(tests/sources/test_dialects.py tests/backtesting/test_backtest.py tests/lakehouse
            tests/ui/test_scheduled_runs.py)
PYTEST=(.venv/bin/python -m pytest -q -p no:cacheprovider -m "not alone")

stage "system packages" bash scripts/system-deps.sh || exit 1
stage "venv (requirements.lock)" make -s install || exit 1
stage "ruff" .venv/bin/ruff check . || exit 1
stage "peak-memory tests, alone" \
  .venv/bin/python -m pytest -q -p no:cacheprovider --basetemp /tmp/airflow-kl-alone -m alone ||
  status=1

# The compatibility chain in the background: each environment built, then
# tested; its output is printed when the main suite has ended.
(
  for env in "$@"; do
    if stage "compat $env: venv" bash scripts/compat.sh build "$env" > "$logs/$env.log" 2>&1; then
      stage "compat $env: tests" bash scripts/compat.sh test "$env" >> "$logs/$env.log" 2>&1
    fi
    echo $? > "$logs/$env.rc"
  done
  stage "main suite (lock), later lane" "${PYTEST[@]}" --basetemp /tmp/airflow-kl-later \
    --durations=10 "${LATER_LANE[@]}" > "$logs/later.log" 2>&1
  echo $? > "$logs/later.rc"
) &
compat=$!
stage "main suite (lock)" "${PYTEST[@]}" --basetemp /tmp/airflow-kl-main --durations=25 \
  "${LATER_LANE[@]/#/--ignore=}" || status=1
wait "$compat"
for log in "$@" later; do
  echo "== $log (log below)"
  tail -n 40 "$logs/$log.log"
  rc=$(cat "$logs/$log.rc" 2>/dev/null || echo 1)
  [ "$rc" -eq 0 ] || { echo "$log FAILED (exit $rc)"; status=1; }
done
exit $status
