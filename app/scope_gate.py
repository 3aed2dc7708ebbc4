"""What a restricted caller may send, checked before GraphQL runs: which root fields, of which
operations (a :class:`RootFields` rule).

Two callers are restricted:

- an API key of scope ``authenticate`` (a customer portal's back end) may only sign in
  (:data:`SIGN_IN_ONLY`): if it leaks, it must not read the customer directory;
- a customer session token (scope ``customer``) may only use the fields declared for customer
  sessions (``me``, ``meSetPassword``, ``customerSessionRevoke``: the rule is built from the
  schema, ``schema.permissions.customer_session_rule``).

Field permissions guard the same fields (``schema.permissions``); reads of API keys have
none, so without this gate a document would reach fields no permission stops. A request passes
when its document's operations are all of a kind the rule names and select at their root only
fields the rule lists for that kind (or ``__typename``), whether it came by POST or GET, as a
text or as a persisted query's hash (resolved first: ``app/server.py``). Anything else (another
root field, introspection, fragments spread at the root, subscriptions, a document that does
not parse) is ``FORBIDDEN``; batches are refused for everyone (``app/http_protocol.py``).
Fragment definitions are refused where the rule says so; where they are allowed they cannot
reach the root (they can only be spread inside a checked field: a fragment on ``Query`` or
``Mutation`` would need a spread at the root, which is refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)

from datasources.db.api_keys import Scope as KeyScope
from schema.permissions import CustomerSessionFields

TYPENAME = "__typename"


@dataclass(frozen=True, slots=True)
class RootFields:
    """The root fields a restricted caller may select, per operation kind (a kind not named is
    refused), and the message a refusal carries."""

    allowed: Mapping[OperationType, frozenset[str]]
    refusal: str
    fragments: bool = False
    """Whether the document may define fragments (used inside the allowed fields)."""


ONLY_AUTHENTICATE = (
    "This API key has the authenticate scope: it may only call customerUserAuthenticate."
)

SIGN_IN_ONLY = RootFields(
    {OperationType.MUTATION: frozenset({"customerUserAuthenticate", TYPENAME})},
    ONLY_AUTHENTICATE,
)
"""An ``authenticate`` key: one sign-in, nothing else (no fragment is needed to sign in)."""


def restricted_rules(customer_fields: CustomerSessionFields) -> dict[KeyScope, RootFields]:
    """The rule of each restricted caller's scope (see the module)."""
    return {
        KeyScope.AUTHENTICATE: SIGN_IN_ONLY,
        KeyScope.CUSTOMER: RootFields(
            {kind: names | {TYPENAME} for kind, names in customer_fields.items()},
            "A customer session token may only use "
            + ", ".join(sorted(set().union(*customer_fields.values())))
            + ".",
            fragments=True,
        ),
    }


def allowed_document(query: str, rule: RootFields, *, max_tokens: int) -> bool:
    """Whether the document ``query`` (persisted queries already resolved to their text,
    ``app/persisted_queries.py``) is one ``rule`` lets through (see the module)."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return False
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode) and rule.fragments:
            continue
        if not isinstance(definition, OperationDefinitionNode):
            return False
        allowed = rule.allowed.get(definition.operation)
        if allowed is None:
            return False
        for selection in definition.selection_set.selections:
            if not isinstance(selection, FieldNode):
                return False
            if selection.name.value not in allowed:
                return False
    return True
