"""Exit 0 when the PostgreSQL server of a database URL answers, 1 otherwise (used by the Makefile).

`pg_available.py URL` checks the server; `pg_available.py --create URL` also creates the URL's database when it does
not exist yet (the benchmarks' `weiyuan_bench` on a fresh machine).
"""

import sys

import psycopg
from psycopg import sql

args = sys.argv[1:]
create = "--create" in args
args = [a for a in args if a != "--create"]
url = args[0] if args else "postgres://postgres@127.0.0.1:5432/weiyuan"
server_url, _, name = url.rpartition("/")
try:
    with psycopg.connect(server_url + "/postgres", connect_timeout=3, autocommit=True) as conn:
        if create and name:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
except psycopg.Error as exc:
    print(f"PostgreSQL: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
sys.exit(0)
