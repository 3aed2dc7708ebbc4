"""``roster import`` and the password history (``[passwords] history``), on every database
kind: a new password for a stored user passes the check ``customerUserSetPassword`` runs
(``PASSWORD_REUSED`` for one of the last ones) and is recorded in the history as that
mutation records it; the current password again is no change at all."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest

from tests.cli.bulk_helpers import Target, write_target_config
from tests.cli.test_import_export import csv_bytes
from tests.conftest import DB_KINDS, Databases

HEADER = ["UserLogin", "UserFirstname", "UserLastname", "UserEmail", "UserCustomerID", "password"]
HISTORY = "SELECT count(*) FROM roster_password_history WHERE login = 'ann'"
HASH = "SELECT pw FROM customer_user WHERE login = 'ann'"


@pytest.fixture(params=DB_KINDS)
async def target(request: pytest.FixtureRequest, databases: Databases, tmp_path: Path) -> Target:
    folder = tmp_path / "a"
    await asyncio.to_thread(folder.mkdir, parents=True)
    url = await databases.create(request.param)
    found = Target(
        request.param, url, write_target_config(folder, url, passwords="history = 3\n"), folder
    )
    await found.ok("demo", "load")
    return found


async def import_password(target: Target, tmp_path: Path, password: str, code: int) -> str:
    """Import ann with ``password``, expecting exit code ``code``; the summary line."""
    path = tmp_path / "ann.csv"
    row = ["ann", "Ann", "Tester", "ann@new.test", "ACME", password]
    path.write_bytes(csv_bytes([HEADER, row]))
    result = await target.cli("import", str(path))
    assert result.returncode == code, result.stderr
    return result.stderr


async def test_an_imported_password_passes_the_history_check(
    target: Target, tmp_path: Path
) -> None:
    summary = await import_password(target, tmp_path, "First-123!", 0)
    assert "created 1," in summary
    assert (await target.rows(HISTORY))[0][0] == 1
    summary = await import_password(target, tmp_path, "Second-456!", 0)
    assert "updated 1," in summary
    assert (await target.rows(HISTORY))[0][0] == 2
    stored = await target.rows(HASH)

    # the one before: refused as customerUserSetPassword refuses it, nothing written
    summary = await import_password(target, tmp_path, "First-123!", 1)
    assert "refused 1" in summary
    rejects = list(csv.DictReader(io.StringIO((tmp_path / "ann.rejects.csv").read_text())))
    assert rejects[0]["error"].startswith("PASSWORD_REUSED password:")
    assert await target.rows(HASH) == stored
    assert (await target.rows(HISTORY))[0][0] == 2

    # the current one: the file imports again unchanged (not a reuse)
    summary = await import_password(target, tmp_path, "Second-456!", 0)
    assert "unchanged 1," in summary
    assert await target.rows(HASH) == stored
