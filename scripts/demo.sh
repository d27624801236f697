#!/usr/bin/env bash
# The main job: installs what it needs, then syncs the Pipefy emulator's
# organization into data/pipefy.duckdb through a local Temporal dev server,
# and keeps the Temporal Web UI up (http://127.0.0.1:8233) until Ctrl-C.
# Extra arguments go to `pipefy-sync demo` (see --help), e.g. --exit.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/setup.sh temporal
exec npx tsx client/cli.ts demo "$@"
