#!/usr/bin/env bash
# Makes deploy/compose/secrets/ for compose.yaml: random passwords, files mode 0600. pgpass is
# owned by the engine's uid (10001, the image's user) since the PostgreSQL client refuses a
# password file that group or others can read. Existing files are kept.
set -euo pipefail
DIR="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$DIR"
chmod 700 "$DIR"
umask 077
[ -s "$DIR/postgres-password" ] || openssl rand -hex 24 >"$DIR/postgres-password"
[ -s "$DIR/grafana-admin-password" ] || openssl rand -hex 16 >"$DIR/grafana-admin-password"
[ -s "$DIR/pgpass" ] || printf 'postgres:5432:solrules:solrules:%s\n' "$(cat "$DIR/postgres-password")" >"$DIR/pgpass"
if [ "$(id -u)" -eq 0 ]; then chown 10001:10001 "$DIR/pgpass"; else echo "make-secrets.sh: not root, so pgpass stays yours: chown 10001 $DIR/pgpass before 'up'" >&2; fi
ls -l "$DIR"
