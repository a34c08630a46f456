"""An embedded PostgreSQL for development and tests, started from the pgserver wheel.

Used only when DATABASE_URL is not set. Every process that loads the settings registers itself
with the server; the last one to exit stops it, so `make run` and `make test` leave nothing behind
but the data folder, which the next run reuses.
"""

import json
import logging
import warnings
from pathlib import Path

import psutil

DATABASE_NAME = "caseintake"


def _forget_dead_processes(pgdata: Path) -> None:
    # pgserver keeps the pids of processes using the server and stops it when the last one exits.
    # A process that was killed never removes itself, which would keep the server up forever.
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        pids = json.loads(handles.read_text() or "[]")
        handles.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


def embedded_database(pgdata: Path) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR when it is unset
        import pgserver
        from pgserver.postgres_server import PostgresServer

    logging.getLogger("pgserver").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with PostgresServer._lock:
        _forget_dead_processes(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()

    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')

    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }
