"""``roster import`` and ``roster export`` through the command line, on every database kind:
the round trip is byte-identical, a dry run writes nothing, refused rows go to the reject
file, and importing a file again changes nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_write_origin import AGENT_7
from tests.cli.bulk_helpers import Target, demo_target
from tests.conftest import DB_KINDS, Databases

HEADER = [
    "type",
    "CustomerID",
    "CustomerCompanyName",
    "CustomerCompanyCity",
    "ValidID",
    "UserLogin",
    "UserFirstname",
    "UserLastname",
    "UserEmail",
    "UserCustomerID",
    "UserComment",
    "password",
    "customers",
    "groups",
    "services",
]


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def user(login: str, customer: str, **cells: str) -> list[str]:
    values = {
        "type": "customer_user",
        "ValidID": "1",
        "UserLogin": login,
        "UserFirstname": login.title(),
        "UserLastname": "Tester",
        "UserEmail": f"{login}@new.test",
        "UserCustomerID": customer,
        **cells,
    }
    return [values.get(name, "") for name in HEADER]


def customer(customer_id: str, name: str, city: str = "") -> list[str]:
    values = {"type": "customer", "CustomerID": customer_id, "CustomerCompanyName": name}
    values |= {"CustomerCompanyCity": city, "ValidID": "1"}
    return [values.get(n, "") for n in HEADER]


NEW_ROWS = [
    HEADER,
    # a user before the customer it names: customers are imported first
    user(
        "ann",
        "NEWCO",
        UserComment="line one\nline two",
        password="Secret-123!",
        customers="ACME|GLOBEX",
        groups="support:ro,rw|billing:ro",
        services="IT::Hardware",
    ),
    customer("NEWCO", "New Co", "Berlin"),
    user("bob", "NEWCO", ValidID="2"),
]


@pytest.fixture(params=DB_KINDS)
async def target(request: pytest.FixtureRequest, databases: Databases, tmp_path: Path) -> Target:
    return await new_target(request.param, databases, tmp_path / "a")


async def new_target(kind: str, databases: Databases, folder: Path) -> Target:
    return await demo_target(kind, databases, folder)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_export_then_import_then_export_is_byte_identical(
    target: Target, databases: Databases, tmp_path: Path, fmt: str
) -> None:
    new = tmp_path / "new.csv"
    new.write_bytes(csv_bytes(NEW_ROWS))
    await target.ok("import", str(new))
    first = await target.export(f"first.{fmt}")
    assert b"ann" in first
    assert b"NEWCO" in first

    other = await new_target(target.kind, databases, tmp_path / "b")
    await other.execute(
        "UPDATE customer_user SET email = 'changed@demo.test' WHERE login = 'jdoe'",
        "DELETE FROM group_customer_user WHERE user_id = 'rroe'",
    )
    result = await other.ok("import", str(target.folder / f"first.{fmt}"))
    assert "created 3, updated 2, unchanged 6, refused 0" in result.stderr
    assert await other.export(f"second.{fmt}") == first

    again = await other.ok("import", str(target.folder / f"first.{fmt}"))
    assert "created 0, updated 0, unchanged 11, refused 0" in again.stderr
    assert await other.export(f"third.{fmt}") == first


async def test_the_new_rows_are_stored_whole(target: Target, tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    new.write_bytes(csv_bytes(NEW_ROWS))
    result = await target.ok("import", str(new))
    assert "created 3, updated 0, unchanged 0, refused 0" in result.stderr
    ann = await target.rows(
        "SELECT customer_id, comments, valid_id, pw FROM customer_user WHERE login = 'ann'"
    )
    assert ann[0][:3] == ("NEWCO", "line one\nline two", 1)
    assert ann[0][3].startswith("BCRYPT:4:")  # the configured scheme, through the hashing threads
    assert (await target.rows("SELECT valid_id, pw FROM customer_user WHERE login = 'bob'")) == [
        (2, "")
    ]
    grants = await target.rows(
        "SELECT g.name, r.permission_key FROM group_customer_user r "
        "JOIN groups_table g ON g.id = r.group_id WHERE r.user_id = 'ann' ORDER BY 1, 2"
    )
    assert grants == [("billing", "ro"), ("support", "ro"), ("support", "rw")]
    customers = await target.rows(
        "SELECT customer_id FROM customer_user_customer WHERE user_id = 'ann' ORDER BY 1"
    )
    assert customers == [("ACME",), ("GLOBEX",)]

    again = await target.ok("import", str(new))  # the password verifies: nothing to change
    assert "created 0, updated 0, unchanged 3, refused 0" in again.stderr


async def test_the_configured_agent_writes_create_by_and_change_by(
    target: Target, tmp_path: Path
) -> None:
    """``[database] agent_id`` other than 1: every row the import creates names that agent in
    ``create_by``/``change_by``, and a row it updates in ``change_by`` (its creator stays)."""
    await target.execute(AGENT_7)
    text = target.config.read_text(encoding="utf-8")
    target.config.write_text(text.replace("[database]\n", "[database]\nagent_id = 7\n", 1))
    (created_by,) = (await target.rows("SELECT create_by FROM customer_user WHERE login = 'jdoe'"))[
        0
    ]
    new = tmp_path / "new.csv"
    new.write_bytes(csv_bytes([*NEW_ROWS, user("jdoe", "ACME", UserFirstname="Janet")]))
    result = await target.ok("import", str(new))
    assert "created 3, updated 1, unchanged 0, refused 0" in result.stderr
    for table, where in (
        ("customer_company", "customer_id = 'NEWCO'"),
        ("customer_user", "login IN ('ann', 'bob')"),
        ("customer_user_customer", "user_id = 'ann'"),
        ("group_customer_user", "user_id = 'ann'"),
    ):
        rows = await target.rows(f"SELECT create_by, change_by FROM {table} WHERE {where}")
        assert rows, table
        assert {agent for row in rows for agent in row} == {7}, table
    rows = await target.rows(
        "SELECT create_by FROM service_customer_user WHERE customer_user_login = 'ann'"
    )
    assert rows == [(7,)]
    rows = await target.rows("SELECT create_by, change_by FROM customer_user WHERE login = 'jdoe'")
    assert rows == [(created_by, 7)]


async def test_a_dry_run_reports_each_row_and_writes_nothing(
    target: Target, tmp_path: Path
) -> None:
    rows = [
        *NEW_ROWS,
        user(
            "jdoe",
            "ACME",
            UserEmail="jane.doe@acme.test",
            UserFirstname="Janet",
            UserLastname="Doe",
        ),
        user("zed", "NO-SUCH"),
    ]
    new = tmp_path / "new.csv"
    new.write_bytes(csv_bytes(rows))
    before = await target.counts()
    result = await target.cli("import", "--dry-run", str(new))
    assert result.returncode == 1, result.stderr  # a refused row
    lines = result.stdout.splitlines()
    assert "line 4: customer NEWCO: would create" in lines
    assert "line 2: customer_user ann: would create" in lines  # names NEWCO, defined later
    assert "line 5: customer_user bob: would create" in lines
    # empty assignment cells: the complete set is empty, so jdoe's grants and services would go
    assert "line 6: customer_user jdoe: would update (UserFirstname, groups, services)" in lines
    assert any(
        line.startswith("line 7: customer_user zed: refused: UNKNOWN_CUSTOMER") for line in lines
    )
    assert "would create 3, would update 1, unchanged 0, refused 1" in result.stderr
    assert "nothing was written" in result.stderr
    assert await target.counts() == before
    assert not (tmp_path / "new.rejects.csv.csv").exists()


async def test_refused_rows_go_to_the_reject_file_with_their_errors(
    target: Target, tmp_path: Path
) -> None:
    rows = [
        HEADER,
        user("carl", "ACME"),
        user("dora", "ACME", UserEmail="jane.doe@acme.test"),  # jdoe's address
        user("erin", "ACME", groups="support:admin"),  # no such permission type
        user("fred", "ACME", services="No::Such"),
        user("gina", "ACME", UserEmail="not-an-address"),
    ]
    new = tmp_path / "people.csv"
    new.write_bytes(csv_bytes(rows))
    result = await target.cli("import", str(new))
    assert result.returncode == 1
    assert "created 1, updated 0, unchanged 0, refused 4" in result.stderr
    rejects = list(csv.DictReader(io.StringIO((tmp_path / "people.rejects.csv").read_text())))
    assert [(r["UserLogin"], r["line"]) for r in rejects] == [
        ("dora", "3"),
        ("erin", "4"),
        ("fred", "5"),
        ("gina", "6"),
    ]
    assert rejects[0]["error"].startswith("EMAIL_TAKEN UserEmail:")
    assert rejects[1]["error"].startswith("UNKNOWN_PERMISSION groups.support:")
    assert rejects[2]["error"].startswith("UNKNOWN_SERVICE services.No::Such:")
    assert rejects[3]["error"].startswith("INVALID_EMAIL UserEmail:")
    assert await target.rows(
        "SELECT login FROM customer_user WHERE login IN ('carl', 'dora', 'erin', 'fred', 'gina')"
    ) == [("carl",)]


async def test_jsonl_rejects_keep_the_row_and_name_the_errors(
    target: Target, tmp_path: Path
) -> None:
    new = tmp_path / "people.jsonl"
    lines = [
        json.dumps(
            {
                "UserLogin": "hank",
                "UserFirstname": "H",
                "UserLastname": "K",
                "UserEmail": "hank@new.test",
                "UserCustomerID": "ACME",
            }
        ),
        "{not json",
        json.dumps(
            {
                "UserLogin": "ivy",
                "UserFirstname": "I",
                "UserLastname": "V",
                "UserEmail": "ivy@new.test",
                "UserCustomerID": "ACME",
                "shoe": 42,
            }
        ),
    ]
    new.write_text("\n".join(lines) + "\n")
    result = await target.cli("import", str(new))
    assert "created 1, updated 0, unchanged 0, refused 2" in result.stderr
    rejects = [json.loads(x) for x in (tmp_path / "people.rejects.jsonl").read_text().splitlines()]
    assert [r["_line"] for r in rejects] == [2, 3]
    assert rejects[0]["_errors"][0]["code"] == "INVALID"
    assert rejects[1]["UserLogin"] == "ivy"
    assert "shoe" in rejects[1]["_errors"][0]["message"]


async def test_password_hashes_only_when_asked_for_with_a_warning(
    target: Target, databases: Databases, tmp_path: Path
) -> None:
    new = tmp_path / "new.csv"
    new.write_bytes(csv_bytes(NEW_ROWS))
    await target.ok("import", str(new))
    plain = await target.export("plain.csv")
    assert b"BCRYPT" not in plain
    assert b"UserPassword" not in plain
    path = tmp_path / "hashes.jsonl"
    result = await target.ok("export", "-o", str(path), "--with-password-hashes")
    assert "WARNING" in result.stderr
    assert "password hashes" in result.stderr
    stored = (await target.rows("SELECT pw FROM customer_user WHERE login = 'ann'"))[0][0]
    assert stored in path.read_text()

    other = await new_target(target.kind, databases, tmp_path / "b")
    await other.ok("import", str(path))
    assert (await other.rows("SELECT pw FROM customer_user WHERE login = 'ann'"))[0][0] == stored


def _as_dicts(data: bytes) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(data.decode())))
