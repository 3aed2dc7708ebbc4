"""Fixtures of the CLI tests: a SQLite file in tmp_path, a config naming it, and the same
config after ``roster db upgrade`` ran on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.helpers import roster, write_config


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The SQLite file a test's config names (not created yet)."""
    return tmp_path / "roster.db"


@pytest.fixture
def config(tmp_path: Path, db_path: Path) -> Path:
    """A minimal config for ``db_path``."""
    return write_config(tmp_path / "roster.toml", db_path)


@pytest.fixture(scope="session")
def upgraded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file ``roster db upgrade`` made, once per test process: never used itself,
    only copied (``upgraded``)."""
    folder = tmp_path_factory.mktemp("upgraded")
    db = folder / "roster.db"
    result = roster("db", "upgrade", "--config", str(write_config(folder / "roster.toml", db)))
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def upgraded(config: Path, db_path: Path, upgraded_file: Path) -> Path:
    """``config``, its file made by ``roster db upgrade``: a copy of ``upgraded_file``, each
    test its own. Why a copy: the upgrade (a ``roster`` process, Alembic and 15 migrations)
    took 1.8 s of each of the ~20 tests using this fixture; the copy takes a millisecond and
    holds the same tables and rows."""
    for made in upgraded_file.parent.glob(f"{upgraded_file.name}*"):  # with a -wal, if any
        shutil.copyfile(
            made, db_path.with_name(db_path.name + made.name[len(upgraded_file.name) :])
        )
    return config
