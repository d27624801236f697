#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the tests:
# starts the installed cluster when it is down, and installs Debian's
# postgresql package when there is none. Accepts the server as it is when
# it already answers.
set -euo pipefail

answers() {
  command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432
}

if answers; then exit 0; fi

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version="$(ls /etc/postgresql | sort -V | tail -1)"
# Trust authentication on loopback, as the tests connect as postgres without a password.
hba="/etc/postgresql/$version/main/pg_hba.conf"
if ! grep -q "pipefy-sync tests" "$hba"; then
  sed -i '1i host all all 127.0.0.1/32 trust # pipefy-sync tests' "$hba"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true

for _ in $(seq 1 30); do
  if answers; then exit 0; fi
  sleep 1
done
echo "PostgreSQL did not start on 127.0.0.1:5432" >&2
exit 1
