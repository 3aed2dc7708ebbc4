"""Every mutation takes the one path: ADMIN permission → ``resolvers.mutations.run_mutation``
(use case, then the loaders reset) → a payload built from the Outcome.

These guard the structure (issue 12, "one way through the house"): a new mutation that calls
storage from the schema layer, resets loaders itself or forgets the admin check fails here
with a message saying what to do instead.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from strawberry.permission import PermissionExtension
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from domain.config import RosterConfig
from schema.builder import build_schema
from schema.permissions import IsAdmin

API_DIR = Path(__file__).resolve().parent.parent / "schema" / "api"

FORBIDDEN_IN_SCHEMA = {
    "context.storage": "call a resolvers.<area> function instead of storage",
    "loaders.reset": "resolvers.mutations.run_mutation resets the loaders",
}

NOT_ADMIN: dict[str, str] = {
    "customer_user_authenticate": "sign-in: keys of scope authenticate (or admin) may call it "
    "(schema.permissions.AUTHENTICATE); it writes only a rehashed password",
}
"""Mutation fields allowed without the ADMIN permission, each with the reason."""


def _mutation_fields() -> list[StrawberryField]:
    mutation = build_schema(RosterConfig()).get_type_by_name("Mutation")
    assert isinstance(mutation, StrawberryObjectDefinition)
    return list(mutation.fields)


@pytest.mark.parametrize("module", sorted(API_DIR.glob("*.py")), ids=lambda p: p.name)
def test_schema_api_modules_do_not_touch_storage_or_loaders(module: Path) -> None:
    text = module.read_text(encoding="utf-8")
    for needle, instead in FORBIDDEN_IN_SCHEMA.items():
        lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
        assert not lines, f"schema/api/{module.name} lines {lines} use {needle}: {instead}"


def test_every_mutation_goes_through_run_mutation() -> None:
    fields = _mutation_fields()
    assert fields, "the schema has no Mutation fields"
    for field in fields:
        resolver = field.base_resolver
        assert resolver is not None, f"Mutation.{field.graphql_name} has no resolver"
        function: Any = resolver.wrapped_func
        source = inspect.getsource(function)
        assert "run_mutation(" in source, (
            f"Mutation.{field.python_name} ({resolver.wrapped_func.__module__}) must call its "
            "use case through resolvers.mutations.run_mutation"
        )


def test_every_mutation_needs_an_admin_key() -> None:
    for field in _mutation_fields():
        name = field.python_name
        if name in NOT_ADMIN:
            continue
        checks = [
            type(permission)
            for extension in field.extensions
            if isinstance(extension, PermissionExtension)
            for permission in extension.permissions
        ]
        assert IsAdmin in checks, (
            f"Mutation.{name} is not declared with permission_classes=ADMIN "
            "(or listed in NOT_ADMIN with the reason)"
        )
