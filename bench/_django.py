"""Shared set-up for benchmarks: a throw-away database on SQLite or PostgreSQL."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup(database: str, name: str) -> str:
    """Point Django at a fresh database and migrate it; returns a description of it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("HUB_VAR_DIR", tempfile.mkdtemp(prefix="hub-bench-"))
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
