#!/usr/bin/env bash
# Starts the servers for `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m servers "$1"
