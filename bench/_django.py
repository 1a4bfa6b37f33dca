"""Shared set-up for benchmarks: a throw-away database on SQLite or PostgreSQL."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_MADE_VAR_DIR: list[str] = []  # the var directory setup() created, for teardown()


def setup(database: str, name: str) -> str:
    """Point Django at a fresh database and migrate it; returns a description of it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret-" + "x" * 40)
    if "HUB_VAR_DIR" not in os.environ:
        os.environ["HUB_VAR_DIR"] = tempfile.mkdtemp(prefix="hub-bench-")
        _MADE_VAR_DIR.append(os.environ["HUB_VAR_DIR"])
    if database == "postgres":
        base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        import psycopg

        with psycopg.connect(base.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/{name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['HUB_VAR_DIR']}/{name}.sqlite3"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"]


def teardown(database: str, name: str) -> None:
    """Drop what setup() made: the PostgreSQL database, and the var directory (the SQLite
    file grows to gigabytes on a large run) when setup() chose it."""
    from django.db import connections

    connections.close_all()
    if database == "postgres":
        import psycopg

        base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        with psycopg.connect(base.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    if _MADE_VAR_DIR:
        shutil.rmtree(_MADE_VAR_DIR.pop(), ignore_errors=True)
