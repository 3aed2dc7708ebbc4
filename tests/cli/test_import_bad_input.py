"""``roster import`` on awkward and broken files: each is imported as meant or stopped with
a message that says what and where, on every database kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.bulk_helpers import Target, write_target_config
from tests.conftest import DB_KINDS, Databases

COMPANY = "customer;ACME;Acme;;;;;;"
"""A customer row of the files below (header: type;CustomerID;name;login;email;first_name;
last_name;customer_id;comments), so the users have a customer without the demo data."""


@pytest.fixture(params=DB_KINDS)
async def target(request: pytest.FixtureRequest, databases: Databases, tmp_path: Path) -> Target:
    url = await databases.create(request.param)
    return Target(request.param, url, write_target_config(tmp_path, url), tmp_path)


def users_file(folder: Path, *lines: str, name: str = "in.csv") -> Path:
    path = folder / name
    header = "type;CustomerID;name;login;email;first_name;last_name;customer_id;comments"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def person(login: str, comment: str = "") -> str:
    return f"customer_user;;;{login};{login}@x.test;{login.title()};Tester;ACME;{comment}"


async def test_bom_semicolons_and_a_quoted_line_break(target: Target) -> None:
    path = users_file(target.folder, person("ann", '"first line\nsecond; line"'), COMPANY)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Excel saves "CSV UTF-8"
    result = await target.ok("import", str(path))
    assert "created 2, updated 0, unchanged 0, refused 0" in result.stderr
    stored = await target.rows("SELECT customer_id, comments FROM customer_user")
    assert stored == [("ACME", "first line\nsecond; line")]
    explicit = await target.ok("import", "--delimiter", ";", str(path))
    assert "unchanged 2" in explicit.stderr


async def test_a_wrong_encoding_is_named_with_its_line(target: Target) -> None:
    path = users_file(target.folder, COMPANY, person("mueller", "Grüße"))
    path.write_bytes(path.read_bytes().replace("Grüße".encode(), "Grüße".encode("latin-1")))
    result = await target.cli("import", str(path))
    assert result.returncode == 2
    assert "line 3: byte 0xfc at column" in result.stderr
    assert "is not utf-8" in result.stderr
    assert "--encoding" in result.stderr
    assert await target.rows("SELECT login FROM customer_user") == []
    fixed = await target.ok("import", "--encoding", "latin-1", str(path))
    assert "created 2" in fixed.stderr
    assert await target.rows("SELECT comments FROM customer_user") == [("Grüße",)]


async def test_unknown_columns_are_named(target: Target) -> None:
    path = target.folder / "in.csv"
    path.write_text("login,colour,email,shoe size\nann,blue,a@x.test,42\n", encoding="utf-8")
    result = await target.cli("import", str(path))
    assert result.returncode == 2
    assert "unknown column(s): colour, shoe size" in result.stderr


async def test_a_missing_key_column_is_named(target: Target) -> None:
    path = target.folder / "in.csv"
    path.write_text("email,first_name\na@x.test,Ann\n", encoding="utf-8")
    result = await target.cli("import", str(path))
    assert result.returncode == 2
    assert "missing required column: UserLogin" in result.stderr


async def test_duplicate_logins_in_one_file_across_batches(target: Target) -> None:
    path = users_file(
        target.folder, COMPANY, person("jo"), person("kim"), person("lou"), person("JO")
    )
    result = await target.cli("import", "--batch-size", "2", str(path))
    assert result.returncode == 1
    assert "created 4, updated 0, unchanged 0, refused 1" in result.stderr
    rejects = (target.folder / "in.rejects.csv").read_text()
    assert "DUPLICATE UserLogin: 'JO' is in the file already, at line 3." in rejects


async def test_a_customer_later_in_the_file_across_batches(target: Target) -> None:
    path = users_file(target.folder, person("ann"), person("bea"), person("cid"), COMPANY)
    result = await target.ok("import", "--batch-size", "1", str(path))
    assert "created 4, updated 0, unchanged 0, refused 0" in result.stderr


async def test_read_only_backends_are_refused(target: Target) -> None:
    config = write_target_config(target.folder, target.url, read_only=True)
    path = users_file(target.folder, COMPANY, person("ann"))
    result = await Target(target.kind, target.url, config, target.folder).cli("import", str(path))
    assert result.returncode == 2
    assert "read-only" in result.stderr
    assert "Nothing can be imported" in result.stderr
    assert await target.rows("SELECT count(*) FROM customer_company") == [(0,)]


async def test_a_long_login_otobo_stored_gets_no_customers_from_an_import(target: Target) -> None:
    # OTOBO's customer_user.login holds 191 characters, customer_user_customer.user_id 100.
    login = "long" + "x" * 157
    await target.execute(
        "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
        " change_time, change_by) VALUES ('ACME', 'Acme', 1, '2024-01-01', 1, '2024-01-01', 1)",
        "INSERT INTO customer_user (login, email, customer_id, first_name, last_name, valid_id,"
        " create_time, create_by, change_time, change_by) VALUES"
        f" ('{login}', 'long@x.test', 'ACME', 'Long', 'Login', 1, '2024-01-01', 1,"
        " '2024-01-01', 1)",
    )
    path = target.folder / "in.jsonl"
    rows = [
        {"UserLogin": login, "UserLastname": "Renamed", "customers": ["ACME"]},
        {
            "UserLogin": "ann",
            "UserFirstname": "Ann",
            "UserLastname": "T",
            "UserEmail": "ann@x.test",
            "UserCustomerID": "ACME",
            "customers": ["ACME"],
        },
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = await target.cli("import", str(path))
    assert result.returncode == 1, result.stderr
    assert "created 1, updated 0, unchanged 0, refused 1" in result.stderr
    rejects = [json.loads(x) for x in (target.folder / "in.rejects.jsonl").read_text().splitlines()]
    assert [(r["UserLogin"], [e["code"] for e in r["_errors"]]) for r in rejects] == [
        (login, ["TOO_LONG"])
    ]
    message = rejects[0]["_errors"][0]["message"]
    assert "customer_user_customer.user_id column holds at most 100 characters" in message
    assert await target.rows("SELECT last_name FROM customer_user WHERE login LIKE 'long%'") == [
        ("Login",)
    ]
    assert await target.rows("SELECT user_id FROM customer_user_customer") == [("ann",)]


async def test_a_4_byte_character_for_a_3_byte_column_is_refused_with_its_fix(
    target: Target,
) -> None:
    """MariaDB, ``customer_user.first_name`` in utf8mb3 (older OTOBO installs): the start
    warns once with the fix, the row with an emoji there is refused at that field with the
    fix, nothing of it is written, and the other rows are imported."""
    if target.kind != "mariadb":
        pytest.skip("utf8mb3 is MariaDB's (and MySQL's)")
    await target.execute(
        "ALTER TABLE customer_user MODIFY first_name VARCHAR(100) "
        "CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci NOT NULL"
    )
    emoji = "customer_user;;;zoe;zoe@x.test;Zoe 😀;Tester;ACME;"
    path = users_file(target.folder, COMPANY, person("ann"), emoji)
    result = await target.cli("import", str(path))
    assert result.returncode == 1, result.stderr
    assert "created 2, updated 0, unchanged 0, refused 1" in result.stderr
    assert result.stderr.count("store only 3-byte UTF-8 (utf8mb3)") == 1  # the start warning
    fix = "ALTER TABLE customer_user CONVERT TO CHARACTER SET utf8mb4 COLLATE"
    rejects = (target.folder / "in.rejects.csv").read_text(encoding="utf-8")
    assert "INVALID_CHARACTERS UserFirstname" in rejects
    assert fix in rejects
    assert await target.rows("SELECT login FROM customer_user") == [("ann",)]
