"""Fixtures of the datasource fault tests (``test_connection_faults*.py``): a fresh PostgreSQL
database with 1500 users, and the SQLAlchemy pool's logged failures, which a test asserts are
none."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.conftest import Databases, run_sql
from tests.datasources.pg_faults import SEED_USERS


@pytest.fixture
async def pg_url(databases: Databases) -> str:
    """A fresh, migrated PostgreSQL database with 1500 customer users."""
    url = await databases.create("postgresql")
    await run_sql(url, [SEED_USERS.format(count=1500)])
    return url


@pytest.fixture
def pool_errors(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Warnings and errors that SQLAlchemy logs (a failed close: "Exception closing
    connection … MissingGreenlet"); the test asserts the list is empty at its end."""
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    records: list[logging.LogRecord] = []
    yield records
    records.extend(r for r in caplog.records if r.name.startswith("sqlalchemy") and r.levelno >= 30)
    assert "MissingGreenlet" not in caplog.text
