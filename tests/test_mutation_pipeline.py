"""Every mutation takes the one path: ADMIN permission → ``resolvers.mutations.run_mutation``
(use case, then the loaders reset) → a payload built from the Outcome.

The exceptions to ADMIN are declared here, each with its permission and the reason: sign-in
(``NOT_ADMIN``) and the mutations of customer session tokens (``CUSTOMER_SESSION_MUTATIONS``).
Every other mutation is closed to customer sessions.

These guard the structure (issue 12, "one way through the house"): a new mutation that calls
storage from the schema layer, resets loaders itself or forgets the admin check fails here
with a message saying what to do instead.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from domain.config import RosterConfig
from schema.builder import build_schema
from schema.permissions import (
    IsAdmin,
    IsCustomerSession,
    IsCustomerSessionOrAdmin,
    NotForCustomerSessions,
    admits_customer_sessions,
)

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

CUSTOMER_SESSION_MUTATIONS: dict[str, tuple[type[BasePermission], str]] = {
    "me_set_password": (
        IsCustomerSession,
        "self-service: a customer session changes its own password (checked first)",
    ),
    "customer_session_revoke": (
        IsCustomerSessionOrAdmin,
        "a customer session ends itself (log out); an admin ends a user's sessions",
    ),
}
"""The only mutations a customer session token may call, with their permission and reason."""


def _permissions(field: StrawberryField) -> list[type[BasePermission]]:
    return [
        type(permission)
        for extension in field.extensions
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
    ]


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
        if name in NOT_ADMIN or name in CUSTOMER_SESSION_MUTATIONS:
            continue
        checks = _permissions(field)
        assert IsAdmin in checks, (
            f"Mutation.{name} is not declared with permission_classes=ADMIN "
            "(or listed in NOT_ADMIN with the reason)"
        )


def test_only_the_declared_mutations_admit_customer_sessions() -> None:
    fields = {field.python_name: field for field in _mutation_fields()}
    for name, (permission, _reason) in CUSTOMER_SESSION_MUTATIONS.items():
        assert name in fields, f"CUSTOMER_SESSION_MUTATIONS names Mutation.{name}, which is gone"
        assert _permissions(fields[name]) == [permission], (
            f"Mutation.{name} must be declared with exactly {permission.__name__}"
        )
    for name, field in fields.items():
        if name in CUSTOMER_SESSION_MUTATIONS:
            continue
        assert not admits_customer_sessions(field.permission_classes), (
            f"Mutation.{name} admits customer sessions: list it in CUSTOMER_SESSION_MUTATIONS "
            "with the reason"
        )
        assert _permissions(field)[0] is NotForCustomerSessions, (
            f"Mutation.{name} is not closed to customer sessions first "
            "(schema.permissions.guard_root_fields)"
        )
