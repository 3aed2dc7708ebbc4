"""Fixtures of the CLI tests: a SQLite file in tmp_path, a config naming it, and the same
config after ``roster db upgrade`` ran on it."""

from __future__ import annotations

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


@pytest.fixture
def upgraded(config: Path) -> Path:
    """``config``, after ``roster db upgrade`` made its tables."""
    result = roster("db", "upgrade", "--config", str(config))
    assert result.returncode == 0, result.stderr
    return config
