"""A pytest plugin for `make mutate` only: the cast is seeded once per run, not once per mutant.

mutmut runs one pytest session per mutant. Each would migrate a new SQLite database and seed
the fixed cast through the services (tests/conftest.py), about 8 s: more than the tests that
kill most mutants. With MUTATE_SNAPSHOT set to a folder (tests/mutation/run.py sets it, for
SQLite only), the first session of the run, mutmut's stats run on the unmutated code, seeds the
cast as usual and keeps a copy of the database and of the documents it stored. Every later
session (the clean run and each mutant) starts from its own copy of that database, migrated
already, and skips the seeding. So each mutant is judged by the tests alone, against the cast the
unmutated services built: a mutant that would only break the seeding must still be caught by a
test.

Without MUTATE_SNAPSHOT the plugin does nothing; the normal test runs never load it.
"""
import inspect
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

SNAPSHOT_DB = "cast.sqlite3"
SNAPSHOT_MEDIA = "media"


def _folder() -> Path | None:
    folder = os.environ.get("MUTATE_SNAPSHOT")
    return Path(folder) if folder else None


def _is_cast_setup(fixturedef) -> bool:
    """tests/conftest.py's django_db_setup (the seeding), not pytest-django's (the database)."""
    return (fixturedef.argname == "django_db_setup"
            and Path(inspect.getfile(fixturedef.func)).as_posix().endswith("tests/conftest.py"))


def _media_location() -> Path:
    from django.core.files.storage import default_storage

    return Path(default_storage.location)


class Record:
    """First session of a run: seed as usual, then keep the database and the documents."""

    def __init__(self, folder: Path):
        self.folder = folder

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        result = yield
        if _is_cast_setup(fixturedef):
            from django.db import connection

            with request.getfixturevalue("django_db_blocker").unblock():
                connection.ensure_connection()
                partial = self.folder / f"{SNAPSHOT_DB}.{os.getpid()}"
                target = sqlite3.connect(partial)
                connection.connection.backup(target)
                target.close()
            shutil.copytree(_media_location(), self.folder / SNAPSHOT_MEDIA, dirs_exist_ok=True)
            partial.rename(self.folder / SNAPSHOT_DB)
        return result


class Restore:
    """Later sessions: a private copy of the seeded database, reused as it is (no migration
    to run, no seeding), and the documents the seeding stored."""

    def __init__(self, folder: Path, config):
        self.folder = folder
        self.database = folder / f"test-{os.getpid()}.sqlite3"
        shutil.copyfile(folder / SNAPSHOT_DB, self.database)
        from django.db import connections

        connections["default"].settings_dict.setdefault("TEST", {})["NAME"] = str(self.database)
        config.option.reuse_db = True  # pytest-django: keep the database as it is (keepdb)

    @pytest.hookimpl(tryfirst=True)
    def pytest_fixture_setup(self, fixturedef, request):
        if not _is_cast_setup(fixturedef):
            return None
        for argname in fixturedef.argnames:  # pytest-django's database, opened on the copy
            request.getfixturevalue(argname)
        shutil.copytree(self.folder / SNAPSHOT_MEDIA, _media_location(), dirs_exist_ok=True)
        fixturedef.cached_result = ("restored", fixturedef.cache_key(request), None)
        return "restored"

    def pytest_unconfigure(self, config):
        self.database.unlink(missing_ok=True)


def pytest_configure(config):
    folder = _folder()
    if folder is None:
        return
    from django.db import connections

    if connections["default"].vendor != "sqlite":
        return
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / SNAPSHOT_DB).exists():
        config.pluginmanager.register(Restore(folder, config), "mutation-snapshot-restore")
    else:
        config.pluginmanager.register(Record(folder), "mutation-snapshot-record")
