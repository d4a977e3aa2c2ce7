#!/usr/bin/env bash
# Makes a local PostgreSQL ready for the test suite: installs it with apt when it
# is missing, starts the cluster, gives the test role its password and creates a
# fresh empty test database. Prints the URL to put in LOUPE_TEST_POSTGRES.
# Usage: scripts/postgres.sh   (as root, or as a user who may sudo)
set -euo pipefail
# Callers read the URL from stdout, so everything else goes to stderr: fd 3 keeps
# the real stdout for the one line at the end. (pg_ctlcluster prints "Removed
# stale pid file." to stdout when the machine was imaged with PostgreSQL running,
# which once made the URL unparsable.)
exec 3>&1 1>&2

ROLE=loupe_test
PASSWORD=loupe_test
DATABASE=loupe_test
PORT=5432

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root su postgres -c "$*"; }

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  printf '\n==> installing PostgreSQL (apt)\n' >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
fi
VERSION=$(ls /etc/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
  printf '==> starting PostgreSQL %s\n' "$VERSION" >&2
  # 3>&-: the server lives on, and must not hold the pipe the caller reads.
  as_root pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start 3>&-
fi
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.2
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { echo "PostgreSQL did not come up on 127.0.0.1:$PORT" >&2; exit 1; }

# The role may create databases (not needed by the suite, which uses schemas,
# but handy by hand); a password, because 127.0.0.1 uses scram-sha-256.
as_postgres "psql -q -v ON_ERROR_STOP=1 -c \"DO \\\$\\\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN CREATE ROLE $ROLE LOGIN CREATEDB; END IF;
  ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
END \\\$\\\$;\"" >&2
# Each run starts from an empty database; every test makes its own schema in it.
as_postgres "psql -q -v ON_ERROR_STOP=1 -c 'DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)' -c 'CREATE DATABASE $DATABASE OWNER $ROLE'" >&2
echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE" >&3
