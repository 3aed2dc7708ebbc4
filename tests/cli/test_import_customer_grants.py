"""A customer row's group grants (OTOBO's ``group_customer``) through ``roster import`` and
``roster export``, on every database kind: ``groups`` holds the ``Same`` context's grants,
``groups_other`` the ``Other`` context's; both round trip byte-identically, a column present
replaces that context's grants only, and the assignment rules refuse what they refuse."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.cli.bulk_helpers import Target, demo_target
from tests.cli.test_import_export import csv_bytes
from tests.conftest import DB_KINDS, Databases

HEADER = ["type", "CustomerID", "CustomerCompanyName", "ValidID", "groups", "groups_other"]

GRANTS = (
    "SELECT r.customer_id, g.name, r.permission_key, r.permission_context "
    "FROM group_customer r JOIN groups_table g ON g.id = r.group_id "
    "WHERE r.permission_value = 1 ORDER BY 1, 2, 3, 4"
)


async def new_target(kind: str, databases: Databases, folder: Path) -> Target:
    """A demo database whose config enables the ``Other`` context."""
    extra = '[customer_group]\ncontexts = ["Same", "Other"]\n'
    return await demo_target(kind, databases, folder, extra=extra)


@pytest.fixture(params=DB_KINDS)
async def target(request: pytest.FixtureRequest, databases: Databases, tmp_path: Path) -> Target:
    return await new_target(request.param, databases, tmp_path / "a")


def customer_rows(*rows: list[str]) -> bytes:
    return csv_bytes([HEADER, *rows])


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_customer_grants_round_trip_byte_identical(
    target: Target, databases: Databases, tmp_path: Path, fmt: str
) -> None:
    new = tmp_path / "new.csv"
    new.write_bytes(
        customer_rows(
            ["customer", "NEWCO", "New Co", "1", "support:ro,rw|billing:ro", "billing:rw"],
            ["customer", "ACME", "Acme Corporation", "1", "billing:ro", ""],
        )
    )
    result = await target.ok("import", str(new))
    assert "created 1, updated 1, unchanged 0, refused 0" in result.stderr
    stored = await target.rows(GRANTS)
    assert stored == [
        ("ACME", "billing", "ro", "Ticket::CustomerID::Same"),
        ("NEWCO", "billing", "ro", "Ticket::CustomerID::Same"),
        ("NEWCO", "billing", "rw", "Ticket::CustomerID::Other"),
        ("NEWCO", "support", "ro", "Ticket::CustomerID::Same"),
        ("NEWCO", "support", "rw", "Ticket::CustomerID::Same"),
    ]
    first = await target.export(f"first.{fmt}")
    if fmt == "csv":
        lines = {r["CustomerID"]: r for r in csv.DictReader(io.StringIO(first.decode()))}
        assert lines["NEWCO"]["groups"] == "billing:ro|support:ro,rw"
        assert lines["NEWCO"]["groups_other"] == "billing:rw"
        assert lines["ACME"]["groups"] == "billing:ro"

    other = await new_target(target.kind, databases, tmp_path / "b")
    result = await other.ok("import", str(target.folder / f"first.{fmt}"))
    assert await other.rows(GRANTS) == stored
    assert await other.export(f"second.{fmt}") == first
    again = await other.ok("import", str(target.folder / f"first.{fmt}"))
    assert "created 0, updated 0," in again.stderr
    assert await other.export(f"third.{fmt}") == first


async def test_a_grant_column_replaces_its_context_only(target: Target, tmp_path: Path) -> None:
    await target.execute(
        "INSERT INTO group_customer (customer_id, group_id, permission_key, permission_value, "
        "permission_context, create_time, create_by, change_time, change_by) "
        "SELECT 'ACME', id, 'ro', 1, 'Ticket::CustomerID::Other', "
        "create_time, 1, change_time, 1 FROM groups_table WHERE name = 'billing'"
    )
    new = tmp_path / "acme.csv"
    header = ["type", "CustomerID", "groups"]
    new.write_bytes(csv_bytes([header, ["customer", "acme", "billing:rw"]]))
    dry = await target.ok("import", "--dry-run", str(new))
    assert "line 2: customer acme: would update (groups)" in dry.stdout.splitlines()
    result = await target.ok("import", str(new))
    assert "created 0, updated 1, unchanged 0, refused 0" in result.stderr
    assert await target.rows(GRANTS) == [
        ("ACME", "billing", "ro", "Ticket::CustomerID::Other"),  # kept: no groups_other column
        ("ACME", "billing", "rw", "Ticket::CustomerID::Same"),  # support:ro replaced
    ]
    again = await target.ok("import", str(new))
    assert "created 0, updated 0, unchanged 1, refused 0" in again.stderr


async def test_the_assignment_rules_refuse_bad_customer_grants(
    target: Target, tmp_path: Path
) -> None:
    await target.execute("UPDATE groups_table SET valid_id = 2 WHERE name = 'billing'")
    new = tmp_path / "bad.csv"
    new.write_bytes(
        customer_rows(
            ["customer", "C1", "One", "1", "nosuch:ro", ""],
            ["customer", "C2", "Two", "1", "support:admin", ""],
            ["customer", "C3", "Three", "1", "billing:ro", ""],  # an invalid group
            ["customer", "C4", "Four", "1", "support:ro", "support:rw"],
        )
    )
    before = await target.rows(GRANTS)
    result = await target.cli("import", str(new))
    assert result.returncode == 1
    assert "created 1, updated 0, unchanged 0, refused 3" in result.stderr
    rejects = list(csv.DictReader(io.StringIO((tmp_path / "bad.rejects.csv").read_text())))
    codes = {r["CustomerID"]: r["error"] for r in rejects}
    assert codes["C1"].startswith("UNKNOWN_GROUP groups.nosuch:")
    assert codes["C2"].startswith("UNKNOWN_PERMISSION groups.support:")
    assert codes["C3"].startswith("INACTIVE_GROUP groups.billing:")
    assert await target.rows(GRANTS) == sorted(
        [
            *before,
            ("C4", "support", "ro", "Ticket::CustomerID::Same"),
            ("C4", "support", "rw", "Ticket::CustomerID::Other"),
        ]
    )
    # a user row has no groups_other; a customer row no services
    mixed = tmp_path / "mixed.csv"
    header = ["type", "CustomerID", "UserLogin", "UserEmail", "services", "groups_other"]
    mixed.write_bytes(
        csv_bytes(
            [
                header,
                ["customer", "C5", "", "", "IT::Hardware", ""],
                ["customer_user", "ACME", "zz", "zz@x.test", "", "support:ro"],
            ]
        )
    )
    result = await target.cli("import", str(mixed))
    assert "refused 2" in result.stderr
