"""Who may call what: every mutation needs an admin key, but sign-in (``customerUserAuthenticate``)
also takes a key of scope ``authenticate``, which may call nothing else (``app.scope_gate``).

A customer session token (an actor of scope ``customer``) may use only the root fields declared
with a permission that admits customer sessions (``CUSTOMER_SESSION``,
``CUSTOMER_SESSION_OR_ADMIN``); ``guard_root_fields`` gives every other root field
``NOT_FOR_CUSTOMER_SESSIONS`` when the schema is built, so a new root field is closed to them
by default, and the gate before GraphQL is built from the same declarations. Inside the objects
a session may read (its own ``CustomerUser``), the fields that lead to other users
(``Customer.customerUsers``, ``Group.customerUsers`` …) declare ``NOT_FOR_CUSTOMER_SESSIONS``
themselves."""

from typing import Any

import strawberry
from graphql import OperationType
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from datasources.db.api_keys import Scope
from schema.audit import Info

DEFINITION_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


class IsAdmin(BasePermission):
    message = "This API key has the read scope; mutations need an admin key."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return bool(info.context.actor.can_write)


ADMIN: list[type[BasePermission]] = [IsAdmin]
"""``permission_classes`` for every mutation."""


class CanAuthenticate(BasePermission):
    message = "Signing customer users in needs an API key of scope authenticate or admin."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor.scope in (Scope.AUTHENTICATE, Scope.ADMIN)


AUTHENTICATE: list[type[BasePermission]] = [CanAuthenticate]
"""``permission_classes`` of ``customerUserAuthenticate``."""


class IsCustomerSession(BasePermission):
    message = (
        "This field needs a customer session token (customerUserAuthenticate with "
        "startSession), not an API key."
    )
    error_extensions = {"code": "FORBIDDEN"}
    admits_customer_sessions = True

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor.scope is Scope.CUSTOMER


CUSTOMER_SESSION: list[type[BasePermission]] = [IsCustomerSession]
"""``permission_classes`` of the self-service fields (``me``, ``meSetPassword``)."""


class IsCustomerSessionOrAdmin(BasePermission):
    message = "This field needs a customer session token or an admin key."
    error_extensions = {"code": "FORBIDDEN"}
    admits_customer_sessions = True

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor.scope in (Scope.CUSTOMER, Scope.ADMIN)


CUSTOMER_SESSION_OR_ADMIN: list[type[BasePermission]] = [IsCustomerSessionOrAdmin]
"""``permission_classes`` of ``customerSessionRevoke``."""


class NotForCustomerSessions(BasePermission):
    message = (
        "A customer session token may only use me, meSetPassword, customerSessionRevoke and "
        "customerUserChanged of its own login."
    )
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor.scope is not Scope.CUSTOMER


NOT_FOR_CUSTOMER_SESSIONS: list[type[BasePermission]] = [NotForCustomerSessions]
"""``permission_classes`` of a field that leads from a user's own objects to other users."""


def admits_customer_sessions(permission_classes: list[type[BasePermission]]) -> bool:
    """Whether a field declared with ``permission_classes`` is open to customer sessions."""
    return any(getattr(p, "admits_customer_sessions", False) for p in permission_classes)


def guard_root_fields(root: StrawberryObjectDefinition) -> None:
    """Close every field of ``root`` (``Query`` or ``Mutation``, before the schema is built)
    that does not admit customer sessions to them: ``NotForCustomerSessions``, checked before
    the field's own permissions."""
    for field in root.fields:
        if admits_customer_sessions(field.permission_classes):
            continue
        if NotForCustomerSessions in field.permission_classes:
            continue  # an earlier build of a schema sharing this field guarded it already
        field.permission_classes.insert(0, NotForCustomerSessions)
        extension = PermissionExtension([NotForCustomerSessions()], use_directives=False)
        field.extensions.insert(0, extension)


CustomerSessionFields = dict[OperationType, frozenset[str]]
"""The root fields open to customer sessions, per operation (for ``app.scope_gate``)."""


def customer_session_fields(schema: strawberry.Schema) -> CustomerSessionFields:
    """The GraphQL names of the root fields that admit customer sessions, read from the built
    schema, so the gate before GraphQL and the field permissions come from one declaration."""
    roots = {
        OperationType.QUERY: schema._schema.query_type,
        OperationType.MUTATION: schema._schema.mutation_type,
        OperationType.SUBSCRIPTION: schema._schema.subscription_type,
    }
    found: CustomerSessionFields = {}
    for operation, root in roots.items():
        if root is None:
            continue
        found[operation] = frozenset(
            name
            for name, field in root.fields.items()
            if isinstance(definition := field.extensions.get(DEFINITION_BACKREF), StrawberryField)
            and admits_customer_sessions(definition.permission_classes)
        )
    return found
