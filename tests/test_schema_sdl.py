"""The committed ``schema.graphql`` is the schema the shipped default configuration builds."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from domain.config import RosterConfig
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
    # required in the default Map, so non-null for clients
    for required in ("firstName", "lastName", "email", "customerId"):
        assert f"{required}: String!" in lines
    for optional in ("title", "phone", "comment"):
        assert f"{optional}: String" in lines


def test_password_is_an_input_only(built_sdl: str) -> None:
    assert "password" in field_names(built_sdl, "CustomerUserCreateInput")
    assert "password" in field_names(built_sdl, "CustomerUserSetPasswordInput")
