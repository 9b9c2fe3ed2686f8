"""Check that the suite's PostgreSQL and Redis answer; say how to start them when they do not."""

import os
import sys

import psycopg
import redis

PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def main() -> int:
    failures = []
    database_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(database_url, connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        failures.append(
            f"PostgreSQL is not reachable at {database_url}: {exc}\n  Start it with: {PG_START}"
        )
    try:
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        failures.append(
            f"Redis is not reachable at {os.environ['REDIS_URL']}: {exc}\n  Start it with: {REDIS_START}"
        )
    for failure in failures:
        print(failure, file=sys.stderr)
    if not failures:
        print("PostgreSQL and Redis are reachable.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
