#!/bin/sh
# Lets a read replica stream from this PostgreSQL (docs/deploy.md §7): replication connections
# of the registry's role with its password, from the compose network. Run once: by the official
# image's entrypoint when the data directory is created (docker-entrypoint-initdb.d), or by hand
# on an existing one (`docker compose exec db sh /docker-entrypoint-initdb.d/allow-replication.sh`
# then `docker compose exec db psql -U registry -d registry -c 'SELECT pg_reload_conf()'`).
set -e
hba="${PGDATA:-/var/lib/postgresql/data}/pg_hba.conf"
line="host replication ${POSTGRES_USER:-registry} all scram-sha-256"
grep -qxF "$line" "$hba" || echo "$line" >> "$hba"
