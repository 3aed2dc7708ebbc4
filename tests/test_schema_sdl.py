"""The committed ``schema.graphql`` is the schema the shipped default configuration builds."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import pytest

from domain.config import RosterConfig
from domain.field_map import default_db_map
from schema.builder import build_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
REGENERATE = "run `roster export-schema -o schema.graphql` and commit the result"


@pytest.fixture(scope="module")
def built_sdl() -> str:
    return build_schema(RosterConfig()).as_str() + "\n"


@pytest.fixture(scope="module")
def committed_sdl() -> str:
    return SCHEMA_FILE.read_text(encoding="utf-8")


def type_block(sdl: str, name: str) -> list[str]:
    """The field lines of ``type``/``input`` ``name`` (descriptions left out)."""
    match = re.search(rf"^(?:type|input) {name}\b[^{{]*\{{\n(.*?)^\}}", sdl, re.M | re.S)
    assert match, f"{name} not in the SDL"
    body = re.sub(r'"""(?:.|\n)*?"""', "", match.group(1))
    return [line.strip() for line in body.splitlines() if line.strip()]


def field_names(sdl: str, name: str) -> set[str]:
    return {line.split(":", 1)[0].split("(", 1)[0] for line in type_block(sdl, name)}


def test_committed_schema_is_up_to_date(built_sdl: str, committed_sdl: str) -> None:
    if committed_sdl != built_sdl:
        diff = "".join(
            difflib.unified_diff(
                committed_sdl.splitlines(keepends=True),
                built_sdl.splitlines(keepends=True),
                "schema.graphql (committed)",
                "schema.graphql (built from the default config)",
                n=2,
            )
        )
        pytest.fail(f"schema.graphql is out of date; {REGENERATE}.\n{diff[:6000]}")


def test_committed_schema_ends_with_one_newline(committed_sdl: str) -> None:
    assert committed_sdl.endswith("\n"), REGENERATE
    assert not committed_sdl.endswith("\n\n"), REGENERATE


def test_customer_user_has_no_password_output(built_sdl: str, committed_sdl: str) -> None:
    for sdl in (built_sdl, committed_sdl):
        fields = field_names(sdl, "CustomerUser")
        assert "login" in fields
        assert not {f for f in fields if "password" in f.lower() or f == "pw"}


def test_no_output_type_exposes_a_password(built_sdl: str) -> None:
    """Only the password payload's one-time ``generatedPassword`` may carry a password out."""
    for match in re.finditer(r"^type (\w+)", built_sdl, re.M):
        if match.group(1) in ("Query", "Mutation"):
            continue  # operations, e.g. customerUserSetPassword, not data
        fields = field_names(built_sdl, match.group(1))
        leaking = {f for f in fields if "password" in f.lower()} - {"generatedPassword"}
        assert not leaking, f"{match.group(1)} exposes {leaking}"


def test_default_customer_user_fields(built_sdl: str) -> None:
    fields = field_names(built_sdl, "CustomerUser")
    assert {
        "id",
        "login",
        "source",
        "fullName",
        "displayName",
        "validity",
        "customer",
        "title",
        "firstName",
        "lastName",
        "email",
        "customerId",
        "phone",
        "fax",
        "mobile",
        "street",
        "zip",
        "city",
        "country",
        "comment",
        "createdAt",
        "changedAt",
    } <= fields
    lines = type_block(built_sdl, "CustomerUser")
    # OTOBO's NOT NULL base attributes, required in the default Map: non-null for clients
    for required in ("firstName", "lastName", "email", "customerId"):
        assert f"{required}: String!" in lines
    for optional in ("title", "phone", "comment"):
        assert f"{optional}: String" in lines


def test_password_is_an_input_only(built_sdl: str) -> None:
    assert "password" in field_names(built_sdl, "CustomerUserCreateInput")
    assert "password" in field_names(built_sdl, "CustomerUserSetPasswordInput")


# ---- which Map-derived output fields are non-null ------------------------------------------
# Only OTOBO's NOT NULL base attributes (firstName, lastName, email, customerId) are non-null in
# output, and only when every backend maps them as required. Any other field, even a required
# custom one such as room, is nullable in output: rows from before its column existed have no
# value. (Writes still refuse an empty required field with a REQUIRED user error.)


def default_rows(**required: bool) -> list[dict[str, Any]]:
    """OTOBO's default Map as config rows, with ``required`` overridden per attribute."""
    return [
        {
            "attribute": f.attribute,
            "label": f.label,
            "field": f.column,
            "show": f.show,
            "required": required.get(f.attribute, f.required),
            "type": f.type,
            "readonly": f.readonly,
        }
        for f in default_db_map()
    ]


def customer_user_lines(*backends: dict[str, Any]) -> list[str]:
    config = RosterConfig.model_validate({"customer_user": {"backends": list(backends)}})
    return type_block(build_schema(config).as_str() + "\n", "CustomerUser")


def test_required_custom_field_is_nullable_in_output() -> None:
    room = {"attribute": "UserRoom", "label": "Room", "field": "room", "required": True}
    lines = customer_user_lines({"map": [*default_rows(), room]})
    assert "room: String" in lines
    assert "firstName: String!" in lines


def test_required_optional_base_column_is_nullable_in_output() -> None:
    lines = customer_user_lines({"map": default_rows(UserTitle=True)})
    assert "title: String" in lines


def test_base_attribute_not_required_in_the_map_is_nullable() -> None:
    lines = customer_user_lines({"map": default_rows(UserFirstname=False)})
    assert "firstName: String" in lines
    assert "lastName: String!" in lines


def test_base_attribute_is_non_null_only_when_every_backend_requires_it() -> None:
    loose = {"name": "CustomerUser1", "table": "customer_user_two"}
    lines = customer_user_lines({}, {**loose, "map": default_rows(UserFirstname=False)})
    assert "firstName: String" in lines
    assert "lastName: String!" in lines
    lines = customer_user_lines({}, {**loose, "map": default_rows()})
    assert "firstName: String!" in lines
