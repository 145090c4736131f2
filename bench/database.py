"""The bench database: always created fresh, and only ever one whose name says it is a bench."""
import os
from urllib.parse import urlparse

import psycopg2

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portcullis_bench"


def bench_database_url() -> str:
    # BENCH_DATABASE_URL, not DATABASE_URL: a DATABASE_URL exported for the test suite must
    # never be the database this harness drops.
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def recreate_database(url: str) -> None:
    name = database_name(url)
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop {name!r}: the bench only recreates databases named *bench*.")
    maintenance = urlparse(url)._replace(path="/postgres").geturl()
    connection = psycopg2.connect(maintenance)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def setup_django(url: str, settings_module: str = "bench.settings") -> None:
    """Point Django at `url` (before it reads its settings) and start it."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def checkpoint() -> bool:
    """Write out what bulk loading left dirty before a timed phase, as pgbench does before each
    run; otherwise the background checkpoint of the generated data competes with the requests
    being timed. False when the role may not (CHECKPOINT needs a superuser or pg_checkpoint)."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        return False
    return True
