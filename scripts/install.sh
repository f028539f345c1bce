#!/usr/bin/env bash
# Creates the virtual environment and installs exactly the lock files: requirements.lock
# (runtime) and requirements-dev.lock (tests, benchmarks, linters; `make install`), or with
# --runtime only requirements.lock (what a deployment installs).
# Any resolver complaint or broken requirement fails the install.
set -euo pipefail
python_bin="$1"; venv="$2"; mode="${3:-}"
cd "$(dirname "$0")/.."
locks=(-r requirements.lock)
case "$mode" in
  --runtime) ;;
  "") locks+=(-r requirements-dev.lock) ;;
  *) echo "usage: $0 PYTHON VENV [--runtime]" >&2; exit 2 ;;
esac
version="$("$python_bin" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$version" != "3.10" ]; then
  echo "Python 3.10 is needed (Rasa 3.6 does not run on $version): install it with pyenv (see .python-version)." >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  "$python_bin" -m venv "$venv"
fi
log="$(mktemp)"
# pip, setuptools and wheel are pinned in requirements.lock as well.
"$venv/bin/python" -m pip install --quiet --no-deps pip==24.0 2>&1 | tee "$log"
"$venv/bin/python" -m pip install --no-deps --quiet "${locks[@]}" 2>&1 | tee -a "$log"
if grep -Ei "ERROR: pip.s dependency resolver|is incompatible|but you have|conflict|^error" "$log" >/dev/null; then
  echo "pip reported a problem (see above): the lock file needs fixing." >&2
  exit 1
fi
"$venv/bin/python" -m pip check
rm -f "$log"
# deduce's lookup structures for the redaction (bot/lse/deidentify.py): built once here, on
# the reduced lists the assistant uses (2 s), so that no Rasa process builds them at start.
PYTHONPATH="$(pwd)" "$venv/bin/python" -m bot.lse.deidentify build
