"""Updates of stored users in one batch (written with one ``executemany`` per set of changed
columns): each user gets exactly its own changes, a password with them or alone, and the
others keep theirs. On every database kind."""

from __future__ import annotations

from pathlib import Path

from tests.cli.bulk_helpers import Target
from tests.cli.test_import_export import csv_bytes, target

__all__ = ["target"]  # the fixture, parametrized over the database kinds

HEADER = ["UserLogin", "UserFirstname", "UserLastname", "UserEmail", "UserCustomerID", "password"]
USERS = (
    "SELECT login, first_name, last_name, email, pw FROM customer_user "
    "WHERE login IN ('jdoe', 'rroe', 'ann', 'bea') ORDER BY login"
)


async def test_one_batch_updates_each_user_with_its_own_changes(
    target: Target, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_bytes(
        csv_bytes(
            [
                HEADER,
                ["ann", "Ann", "A", "ann@x.test", "ACME", ""],
                ["bea", "Bea", "B", "bea@x.test", "ACME", ""],
            ]
        )
    )
    await target.ok("import", str(first))
    before = {row[0]: row[4] for row in await target.rows(USERS)}
    rows = [  # rroe: last name and password; ann: the password alone
        HEADER,
        ["JDOE", "Janet", "Doe", "jane.doe@acme.test", "ACME", ""],  # first name; login in caps
        ["rroe", "Richard", "Roe-Smith", "richard.roe@acme.test", "ACME", "Secret-123!"],
        ["ann", "Ann", "A", "ann@x.test", "ACME", "Secret-456!"],  # the password alone
        ["bea", "Beatrix", "B", "bea@y.test", "ACME", ""],  # two columns
    ]
    path = tmp_path / "updates.csv"
    path.write_bytes(csv_bytes(rows))
    result = await target.ok("import", str(path))
    assert "created 0, updated 4, unchanged 0, refused 0" in result.stderr
    after = await target.rows(USERS)
    assert [row[:4] for row in after] == [
        ("ann", "Ann", "A", "ann@x.test"),
        ("bea", "Beatrix", "B", "bea@y.test"),
        ("jdoe", "Janet", "Doe", "jane.doe@acme.test"),
        ("rroe", "Richard", "Roe-Smith", "richard.roe@acme.test"),
    ]
    hashes = {row[0]: row[4] for row in after}
    assert hashes["jdoe"] == before["jdoe"]  # kept
    assert hashes["bea"] == before["bea"]
    assert hashes["ann"] != before["ann"]
    assert hashes["ann"].startswith("BCRYPT:4:")
    assert hashes["rroe"] != before["rroe"]
    assert hashes["rroe"].startswith("BCRYPT:4:")
    again = await target.ok("import", str(path))
    assert "created 0, updated 0, unchanged 4, refused 0" in again.stderr
