"""Dynamic fields in ``roster import`` and ``roster export`` (issue 18), on every database
kind: the Maps' ``dynamic_field`` rows of customer users and customers are columns (by
attribute or field name), checked as the API checks them, stored as OTOBO stores them,
audited, and export → import → export is byte-identical."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from datasources.db.tables import dynamic_field
from tests.cli.bulk_helpers import Target, demo_target
from tests.cli.test_import_export import csv_bytes
from tests.conftest import DB_KINDS, Databases
from tests.factories import dynamic_field_row
from tests.toml_helpers import backend_toml, default_map_rows, toml_value

USER_FIELDS = {
    # Map attribute: (field name, type, YAML config)
    "DynamicField_Nickname": ("Nickname", "Text", "---\nDefaultValue: ''\n"),
    "DynamicField_Region": (
        "Region",
        "Dropdown",
        "---\nPossibleValues:\n  north: North\n  south: South\n",
    ),
    "DynamicField_Languages": (
        "Languages",
        "Multiselect",
        "---\nPossibleValues:\n  de: German\n  en: English\n  fr: French\n",
    ),
    "DynamicField_Vip": ("Vip", "Checkbox", "---\nDefaultValue: '0'\n"),
    "DynamicField_Birthday": ("Birthday", "Date", "---\nYearsInPast: '100'\n"),
    "DynamicField_LastVisit": ("LastVisit", "DateTime", None),
}
COMPANY_FIELD = ("DynamicField_Segment", "Segment", "Text")


def _config_extra() -> str:
    from tests.config.test_company_map_rules import rows_with

    user_map = [*default_map_rows()]
    user_map += [dynamic_field_row(a, name, kind) for a, (name, kind, _) in USER_FIELDS.items()]
    company = rows_with(dynamic_field_row(*COMPANY_FIELD))
    lines = ["[customer_company]", "map = ["]
    lines += [f"  {toml_value(row)}," for row in company]
    lines.append("]")
    return "\n".join(lines) + "\n" + backend_toml(name="CustomerUser", module="db", map=user_map)


async def _definitions(database: str, url: str) -> None:
    now = datetime(2026, 1, 1)
    rows = [(name, kind, config, "CustomerUser") for name, kind, config in USER_FIELDS.values()]
    rows.append((COMPANY_FIELD[1], COMPANY_FIELD[2], None, "CustomerCompany"))
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for order, (name, kind, config, object_type) in enumerate(rows):
                await conn.execute(
                    dynamic_field.insert().values(
                        internal_field=0,
                        name=name,
                        label=name,
                        field_order=order + 10,
                        field_type=kind,
                        object_type=object_type,
                        # MariaDB: a blob, as OTOBO's installer makes the column
                        config=config.encode() if config and database == "mariadb" else config,
                        valid_id=1,
                        create_time=now,
                        create_by=1,
                        change_time=now,
                        change_by=1,
                    )
                )
    finally:
        await engine.dispose()


async def _target(kind: str, databases: Databases, folder: Path) -> Target:
    found = await demo_target(kind, databases, folder, extra=_config_extra())
    await _definitions(kind, found.url)
    return found


@pytest.fixture(params=DB_KINDS)
async def target(request: pytest.FixtureRequest, databases: Databases, tmp_path: Path) -> Target:
    return await _target(request.param, databases, tmp_path / "a")


HEADER = [
    "type",
    "CustomerID",
    "CustomerCompanyName",
    "Segment",  # the company field by its name
    "UserLogin",
    "UserFirstname",
    "UserLastname",
    "UserEmail",
    "UserCustomerID",
    "DynamicField_Nickname",
    "Region",  # by field name
    "DynamicField_Languages",
    "DynamicField_Vip",
    "DynamicField_Birthday",
    "DynamicField_LastVisit",
]


def _row(**cells: str) -> list[str]:
    return [cells.get(name, "") for name in HEADER]


def _user(login: str, **cells: str) -> list[str]:
    base = {
        "type": "customer_user",
        "UserLogin": login,
        "UserFirstname": login.title(),
        "UserLastname": "Fields",
        "UserEmail": f"{login}@df.test",
        "UserCustomerID": "DFCO",
    }
    return _row(**base, **cells)


ROWS = [
    HEADER,
    _row(type="customer", CustomerID="DFCO", CustomerCompanyName="DF Co", Segment="Enterprise"),
    _user(
        "dfann",
        DynamicField_Nickname="Annie",
        Region="north",
        DynamicField_Languages="de|en",
        DynamicField_Vip="1",
        DynamicField_Birthday="1990-04-01",
        DynamicField_LastVisit="2026-03-01T09:30:00+02:00",
    ),
    _user("dfbob", Region="south", DynamicField_Vip="0"),
    _user("dfcid"),
]


async def test_values_are_stored_exported_and_audited(target: Target, tmp_path: Path) -> None:
    path = tmp_path / "df.csv"
    path.write_bytes(csv_bytes(ROWS))
    result = await target.ok("import", str(path))
    assert "created 4, updated 0, unchanged 0, refused 0" in result.stderr
    exported = await target.export("out.jsonl")
    lines = [json.loads(line) for line in exported.decode().splitlines()]
    by_key = {row.get("UserLogin") or row.get("CustomerID"): row for row in lines}
    ann = by_key["dfann"]
    assert {a: ann[a] for a in USER_FIELDS} == {
        "DynamicField_Nickname": "Annie",
        "DynamicField_Region": "north",
        "DynamicField_Languages": ["de", "en"],
        "DynamicField_Vip": True,
        "DynamicField_Birthday": "1990-04-01",
        "DynamicField_LastVisit": "2026-03-01T07:30:00",  # stored in UTC, as the API does
    }
    assert by_key["dfbob"]["DynamicField_Vip"] is False
    assert by_key["dfcid"]["DynamicField_Vip"] is None  # an empty cell sets nothing
    assert by_key["DFCO"]["DynamicField_Segment"] == "Enterprise"
    assert by_key["ACME"]["DynamicField_Segment"] is None

    events = await target.rows(
        "SELECT object_name, action, changes FROM roster_audit_event "
        "WHERE object_name IN ('dfann', 'DFCO') ORDER BY id"
    )
    texts = {(name, action): str(changes) for name, action, changes in events}
    assert "DynamicField_Region" in texts[("dfann", "CREATED")]
    assert "north" in texts[("dfann", "CREATED")]
    assert "Enterprise" in texts[("DFCO", "CREATED")]

    # An update of one field (only its column: an empty cell would erase a value): only it is
    # written, audited with before and after.
    change = tmp_path / "change.csv"
    change.write_text("UserLogin,Region\ndfann,south\n", encoding="utf-8")
    result = await target.ok("import", str(change))
    assert "created 0, updated 1, unchanged 0, refused 0" in result.stderr
    events = await target.rows(
        "SELECT action, changes FROM roster_audit_event "
        "WHERE object_name = 'dfann' ORDER BY id DESC"
    )
    action, changes = events[0]
    assert action == "UPDATED"
    fields = (json.loads(changes) if isinstance(changes, str) else changes)["fields"]
    assert fields == {"DynamicField_Region": {"before": "north", "after": "south"}}
    langs = json.loads(texts[("dfann", "CREATED")])["fields"]["DynamicField_Languages"]
    assert langs == {"before": None, "after": '["de", "en"]'}


async def test_values_are_checked_as_the_api_checks_them(target: Target, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            [
                HEADER,
                _row(type="customer", CustomerID="DFCO", CustomerCompanyName="DF Co"),
                _user("dfeast", Region="east"),
                _user("dfmaybe", DynamicField_Vip="maybe"),
                _user("dfdate", DynamicField_Birthday="1990-13-01"),
                _user("dflang", DynamicField_Languages="de|xx"),
                _user("dfline", DynamicField_Nickname="two\nlines"),
                _user("dfgood", Region="north"),
            ]
        )
    )
    result = await target.cli("import", str(path))
    assert result.returncode == 1, result.stderr
    assert "created 2, updated 0, unchanged 0, refused 5" in result.stderr
    rejects = (tmp_path / "bad.rejects.csv").read_text(encoding="utf-8")
    assert "INVALID DynamicField_Region: Not a possible value of Region: 'east'." in rejects
    assert "INVALID DynamicField_Vip: A checkbox takes 1 or 0" in rejects
    assert "INVALID DynamicField_Birthday: Not a Date (YYYY-MM-DD)" in rejects
    assert "INVALID DynamicField_Languages: Not a possible value of Languages: 'xx'." in rejects
    assert "INVALID_CHARACTERS DynamicField_Nickname" in rejects
    stored = await target.rows(
        "SELECT n.object_name FROM dynamic_field_value v "
        "JOIN dynamic_field_obj_id_name n ON n.object_id = v.object_id ORDER BY 1"
    )
    assert stored == [("dfgood",)]  # refused rows wrote nothing


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_export_import_export_is_byte_identical_with_dynamic_fields(
    target: Target, databases: Databases, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "df.csv"
    path.write_bytes(csv_bytes(ROWS))
    await target.ok("import", str(path))
    first = await target.export(f"first.{fmt}")
    assert b"Annie" in first
    assert b"Enterprise" in first

    other = await _target(target.kind, databases, tmp_path / "b")
    result = await other.ok("import", str(target.folder / f"first.{fmt}"))
    assert "refused 0" in result.stderr
    assert await other.export(f"second.{fmt}") == first
    again = await other.ok("import", str(target.folder / f"first.{fmt}"))
    assert "created 0, updated 0" in again.stderr
    assert await other.export(f"third.{fmt}") == first
