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

from schema.fast_fields import DEFINITION_BACKREF, install


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
