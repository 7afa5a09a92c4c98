#!/usr/bin/env bash
# Start the local PostgreSQL and Redis if they are down, and make sure the
# `undersigned` role and database exist. Safe to run again. Used by .ci/run
# and by `make stack`.
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_createcluster "$version" main
    cluster="$version main"
  fi
  pg_ctlcluster $cluster start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

as_postgres() { (cd / && runuser -u postgres -- "$@"); }
as_postgres psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='undersigned'" | grep -q 1 \
  || as_postgres psql -qc "CREATE ROLE undersigned LOGIN PASSWORD 'undersigned' CREATEDB"
as_postgres psql -qtAc "SELECT 1 FROM pg_database WHERE datname='undersigned'" | grep -q 1 \
  || as_postgres createdb -O undersigned undersigned
# pg_trgm and unaccent back the name search; the test database is created from
# template1, so install them there too (needs superuser, which the app role is not).
for db in template1 undersigned; do
  as_postgres psql -q -d "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS unaccent;"
done

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
echo "services: postgresql and redis are up"
