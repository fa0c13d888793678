#!/usr/bin/env bash
# Makes sure a PostgreSQL the tests can use answers on 127.0.0.1:5432: user postgres with trust
# authentication from 127.0.0.1, and a database named "test". Idempotent, and fast (one
# pg_isready and one psql) when that is already so. Otherwise, as root, it:
#   1. installs Debian's postgresql package if no cluster exists (apt-get update && install);
#   2. adds "host all postgres 127.0.0.1/32 trust" at the top of the newest cluster's pg_hba.conf
#      if user postgres cannot log in over TCP, and reloads it;
#   3. starts the cluster with pg_ctlcluster (no systemd needed) and waits until it accepts;
#   4. creates the database "test" if it is missing.
# Exits non-zero, saying why, when it cannot. Used by .ci/run; safe to run by hand.
set -euo pipefail

# Overridable to try the script on a scratch cluster: WEFT_PG_PORT=5439 WEFT_PG_CLUSTER=scratch.
HOST=127.0.0.1
PORT=${WEFT_PG_PORT:-5432}
CLUSTER=${WEFT_PG_CLUSTER:-main}
DB=test

log() { echo "start-postgres: $*" >&2; }
can_login() { psql -h "$HOST" -p "$PORT" -U postgres -d postgres -XtAc "SELECT 1" >/dev/null 2>&1; }
ensure_db() {
	if ! psql -h "$HOST" -p "$PORT" -U postgres -d postgres -XtAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
		log "creating database $DB"
		psql -h "$HOST" -p "$PORT" -U postgres -d postgres -Xqc "CREATE DATABASE $DB"
	fi
}

# Fast path: it already runs and lets us in.
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT" && can_login; then
	ensure_db
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	log "PostgreSQL does not answer on $HOST:$PORT for user postgres, and setting it up needs root"
	exit 1
fi

if ! ls -d /etc/postgresql/*/"$CLUSTER" >/dev/null 2>&1; then
	log "installing PostgreSQL (apt-get)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

VERSION=$(ls -d /etc/postgresql/*/"$CLUSTER" | sort -V | tail -n 1 | cut -d/ -f4)
CONF=/etc/postgresql/$VERSION/$CLUSTER
if ! grep -Eq '^host[[:space:]]+all[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$CONF/pg_hba.conf"; then
	log "trusting user postgres from 127.0.0.1 in $CONF/pg_hba.conf"
	sed -i '1i host all postgres 127.0.0.1/32 trust' "$CONF/pg_hba.conf"
	RELOAD=1
fi

if pg_isready -q -h "$HOST" -p "$PORT"; then
	if [ "${RELOAD:-0}" = 1 ]; then pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" reload; fi
else
	log "starting cluster $VERSION/$CLUSTER"
	pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start || true
fi

for _ in $(seq 1 60); do
	if pg_isready -q -h "$HOST" -p "$PORT" && can_login; then
		ensure_db
		log "PostgreSQL $VERSION is ready on $HOST:$PORT (database $DB)"
		exit 0
	fi
	sleep 0.5
done
log "PostgreSQL did not become ready on $HOST:$PORT; see /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log"
exit 1
