#!/usr/bin/env bash
# Installs Debian's `chromium` package, which test/web-ui.test.ts drives
# through playwright-core, when /usr/bin/chromium is missing. Safe to run
# again, because it does nothing when Chromium is already there. Prints
# apt-get's output only when the installation fails.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing at /usr/bin/chromium and apt-get is not available. Install Chromium there by hand." >&2
  exit 1
fi

run_as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "Installing Chromium needs root, and sudo is not available. Run this script as root." >&2
    exit 1
  fi
  run_as_root=(sudo)
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

if ! { "${run_as_root[@]}" apt-get update -qq &&
  "${run_as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "Installing the Debian package chromium failed. See the apt-get output above." >&2
  exit 1
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "apt-get installed chromium, but /usr/bin/chromium is still missing." >&2
  exit 1
fi
