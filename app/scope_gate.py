"""What a key of scope ``authenticate`` may send: one sign-in, nothing else.

Such a key sits in a customer portal's back end; if it leaks, it must not read the customer
directory. Strawberry's permissions guard ``customerUserAuthenticate`` against ``read`` keys
(``schema.permissions.AUTHENTICATE``), but reads have no permission classes, so the document of
an ``authenticate`` key is checked here, before GraphQL runs: a POSTed JSON object whose
document has only mutations whose root fields are all ``customerUserAuthenticate`` (or
``__typename``). Anything else (queries, introspection, fragments at the root, batches,
subscriptions, GET) is ``FORBIDDEN``.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)

ALLOWED_ROOT_FIELDS = frozenset({"customerUserAuthenticate", "__typename"})

ONLY_AUTHENTICATE = (
    "This API key has the authenticate scope: it may only call customerUserAuthenticate."
)


def only_sign_in(body: bytes, *, max_tokens: int) -> bool:
    """Whether ``body`` is a request an ``authenticate`` key may send (see the module)."""
    try:
        request: Any = json.loads(body)
    except ValueError:
        return False
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        return False
    try:
        document = parse(request["query"], no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return False
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            return False  # fragments: none is needed to sign in
        if definition.operation is not OperationType.MUTATION:
            return False
        for selection in definition.selection_set.selections:
            if not isinstance(selection, FieldNode):
                return False
            if selection.name.value not in ALLOWED_ROOT_FIELDS:
                return False
    return True
