"""Exit 0 when the PostgreSQL server of DATABASE_URL answers, 1 otherwise (used by the Makefile)."""

import sys

import psycopg

url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/weiyuan"
server_url = url.rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(server_url, connect_timeout=3).close()
except psycopg.Error:
    sys.exit(1)
sys.exit(0)
