#!/usr/bin/env bash
# Installs the Debian packages the tests need, when missing: Chromium (browser tests),
# PostgreSQL, Redis and nginx (cluster and PostgreSQL tests), Node.js and npm (the widget's
# front-end packages). Used by `make test` and by .ci/run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(make git curl ca-certificates chromium postgresql redis-server nginx)
# Only when npm is missing (a machine may have Node.js from elsewhere, with npm inside).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}) or run as root." >&2
  exit 1
fi
apt-get update -qq
# Do not let the packages start their system services (nginx on port 80, the default
# PostgreSQL cluster): the tests start their own instances.
had_policy=0
[ -e /usr/sbin/policy-rc.d ] && had_policy=1
[ "$had_policy" = 1 ] || printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
