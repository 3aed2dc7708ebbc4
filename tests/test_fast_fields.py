"""The fast readers of ``schema.fast_fields`` never replace a resolver that enforces something.

A permission or a field extension runs inside Strawberry's resolver: giving such a field a
direct resolver would silently skip it (a `read` key reading an admin-only field). These are
small inline schemas, so the rule is checked without the rest of Roster.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import BasePermission

from domain.config import RosterConfig
from schema.builder import build_schema
from schema.fast_fields import (
    CONTEXT_READER,
    DEFINITION_BACKREF,
    install,
    install_declared,
    reader_of,
)


class Never(BasePermission):
    message = "never"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


class Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type
class Thing:
    name: str
    secret: str = strawberry.field(permission_classes=[Never])
    shouted: str = strawberry.field(extensions=[Upper()])


@strawberry.type
class Query:
    @strawberry.field
    def thing(self) -> Thing:
        return Thing(name="plain", secret="hidden", shouted="quiet")


def schema(*extensions: Any) -> strawberry.Schema:
    return strawberry.Schema(query=Query, extensions=list(extensions))


def test_a_plain_field_gets_the_reader_and_answers_the_same() -> None:
    built = schema()
    install(built, "Thing", {"name": lambda thing: thing.name})
    assert built.execute_sync("{ thing { name } }").data == {"thing": {"name": "plain"}}


@pytest.mark.parametrize("field", ["secret", "shouted"])
def test_a_field_with_a_permission_or_an_extension_is_refused(field: str) -> None:
    built = schema()
    with pytest.raises(ValueError, match=f"Thing.{field} carries a permission"):
        install(built, "Thing", {field: lambda thing: getattr(thing, field)})
    # and the field still enforces what it carries
    result = built.execute_sync("{ thing { secret shouted } }")
    assert result.data is None
    assert result.errors is not None
    assert result.errors[0].message == "never"


def test_a_schema_extension_hooking_resolution_is_refused() -> None:
    class Audit(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            return _next(root, info, *args, **kwargs)

    class Quiet(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            yield

    install(schema(Quiet), "Thing", {"name": lambda thing: thing.name})
    with pytest.raises(ValueError, match="Audit hooks field resolution"):
        install(schema(Audit), "Thing", {"name": lambda thing: thing.name})
    with pytest.raises(ValueError, match="Audit hooks field resolution"):
        install(schema(lambda: Audit()), "Thing", {"name": lambda thing: thing.name})


def test_canary_strawberry_keeps_the_field_definition_on_the_graphql_field() -> None:
    """``install`` reads a field's permissions through Strawberry's back-reference on the
    graphql-core field, a private convention: this fails first after an upgrade moves it."""
    field = schema()._schema.get_type("Thing").fields["secret"]  # type: ignore[union-attr]
    definition = field.extensions.get(DEFINITION_BACKREF)
    assert definition is not None, "Strawberry no longer keeps its field definition there"
    assert definition.permission_classes == [Never]


# ---- the readers Roster's own types declare -----------------------------------------------

PLAIN_FIELDS = {
    "CustomerUser": {"id", "login", "source", "fullName", "displayName", "validity"}
    | {"title", "firstName", "lastName", "email", "customerId", "phone", "fax", "mobile"}
    | {"street", "zip", "city", "country", "comment"},
    "Customer": {"id", "customerId", "name", "street", "zip", "city", "country", "url"}
    | {"comment", "validity"},
    "Group": {"id", "groupId", "name", "comment", "validity"},
    "EffectivePermission": {"permission", "reasons", "group"},
    "PermissionReason": {"kind", "viaRw", "customerId"},
    "Service": {"id", "serviceId", "name", "nameShort", "comment", "validity"},
    "CustomerUserEdge": {"cursor", "node"},
    "CustomerEdge": {"cursor", "node"},
    "ServiceEdge": {"cursor", "node"},
}
"""Every field that had a hand-written reader before the readers came from the declarations."""

CONTEXT_FIELDS = {
    "CustomerUser": {"customer", "customerIds", "effectivePermissions", "services"}
    | {"availableServices", "usesDefaultServices"},
    "Service": {"parent", "children"},
}
"""Fields whose declared context reader replaces Strawberry's resolver."""


@pytest.fixture(scope="module")
def roster_schema() -> strawberry.Schema:
    config = RosterConfig.model_validate({"database": {"url": "sqlite+aiosqlite:///:memory:"}})
    return build_schema(config)


@pytest.mark.parametrize("type_name", sorted(PLAIN_FIELDS))
def test_every_plain_field_of_roster_keeps_its_fast_reader(
    roster_schema: strawberry.Schema, type_name: str
) -> None:
    fields = roster_schema._schema.get_type(type_name).fields  # type: ignore[union-attr]
    slow = sorted(
        name for name in PLAIN_FIELDS[type_name] if reader_of(fields[name].resolve) is None
    )
    assert slow == [], f"{type_name} lost the fast reader of {slow}"


@pytest.mark.parametrize("type_name", sorted(CONTEXT_FIELDS))
def test_every_context_field_of_roster_keeps_its_direct_resolver(
    roster_schema: strawberry.Schema, type_name: str
) -> None:
    """Strawberry's resolver of these fields takes ``info``; the direct one is installed from
    the reader declared in the field's metadata and takes only graphql-core's two arguments."""
    fields = roster_schema._schema.get_type(type_name).fields  # type: ignore[union-attr]
    for name in CONTEXT_FIELDS[type_name]:
        definition = fields[name].extensions[DEFINITION_BACKREF]
        assert CONTEXT_READER in definition.metadata, name
        assert fields[name].resolve.__qualname__.startswith("_with_context"), name


def test_guarded_and_argument_fields_of_roster_keep_strawberrys_resolver(
    roster_schema: strawberry.Schema,
) -> None:
    """Derived readers never cover a field that takes arguments (or ``info``)."""
    customer_user = roster_schema._schema.get_type("CustomerUser")
    for name in ("hasPermission", "createdBy", "changedBy"):
        assert reader_of(customer_user.fields[name].resolve) is None, name  # type: ignore[union-attr]


def test_a_declared_thing_gets_readers_from_its_declaration() -> None:
    """``install_declared`` on the inline schema: the plain attribute gets a reader, the
    guarded fields do not, and the answers are the same."""
    built = schema()
    install_declared(built, "Thing")
    fields = built._schema.get_type("Thing").fields  # type: ignore[union-attr]
    assert reader_of(fields["name"].resolve) is not None
    assert reader_of(fields["secret"].resolve) is None
    assert reader_of(fields["shouted"].resolve) is None
    result = built.execute_sync("{ thing { name shouted } }")
    assert result.data == {"thing": {"name": "plain", "shouted": "QUIET"}}
