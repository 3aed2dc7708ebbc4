"""What the ``test_customer_session*`` modules share: signing in with a session, the documents
a portal sends with the token, and a GraphQL document for every root field of the schema."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_composite_type,
    is_enum_type,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
)

from datasources.db.api_keys import Scope
from tests.conftest import Api, GraphQLResponse, unique
from tests.factories import new_customer, new_user

PASSWORD = "Correct-Horse-7"
SIGN_IN = (
    "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i) {"
    " success sessionToken sessionExpiresAt userErrors { code } } }"
)
ME = "{ me { login } }"
REVOKE = (
    "mutation($i: CustomerSessionRevokeInput) { customerSessionRevoke(input: $i) {"
    " revoked userErrors { field code } } }"
)
ME_SET_PASSWORD = (
    "mutation($i: MeSetPasswordInput!) { meSetPassword(input: $i) {"
    " customerUser { login changedBy } userErrors { field code message } } }"
)
CUSTOMER_SESSION_ROOTS = {"query": {"me"}, "mutation": {"meSetPassword", "customerSessionRevoke"}}


async def auth_key(api: Api) -> tuple[str, str]:
    """A new key of scope authenticate: (the Authorization value, its name)."""
    secret, key = await api.storage.api_keys.create(unique("portal-"), Scope.AUTHENTICATE)
    return f"Bearer {secret}", key.name


async def signed_in(api: Api, login: str, password: str = PASSWORD, key: str = "admin") -> Any:
    r = await api.gql(
        SIGN_IN, {"i": {"login": login, "password": password, "startSession": True}}, key=key
    )
    assert r.status == 200, r.body
    payload = r.data["customerUserAuthenticate"]
    assert payload["success"] is True, r.body
    return payload


async def session(api: Api, login: str, password: str = PASSWORD, key: str = "admin") -> str:
    """A new session of ``login``: the Authorization value that presents its token."""
    token = (await signed_in(api, login, password, key))["sessionToken"]
    assert isinstance(token, str), token
    assert token.startswith("rcs_"), token
    return f"Bearer {token}"


async def user_with_session(api: Api, key: str = "admin") -> tuple[str, str]:
    """A new user of a new customer, signed in: (login, Authorization value)."""
    login = await new_user(api, await new_customer(api), password=PASSWORD)
    return login, await session(api, login, key=key)


async def me(api: Api, bearer: str, query: str = ME) -> GraphQLResponse:
    return await api.gql(query, key=bearer)


def _dummy(graphql_type: Any, strings: str, ident: str) -> Any:
    """A value of ``graphql_type`` that validates: ``strings`` for every String, ``ident`` for
    every ID, the first value of an enum, the required fields of an input object."""
    if is_non_null_type(graphql_type):
        return _dummy(graphql_type.of_type, strings, ident)
    if is_list_type(graphql_type):
        return []
    if is_input_object_type(graphql_type):
        assert isinstance(graphql_type, GraphQLInputObjectType)
        return {
            name: _dummy(field.type, strings, ident)
            for name, field in graphql_type.fields.items()
            if is_non_null_type(field.type) and field.default_value is Undefined
        }
    if is_enum_type(graphql_type):
        return next(iter(graphql_type.values))
    return {"Int": 1, "Float": 1.0, "Boolean": False, "ID": ident}.get(graphql_type.name, strings)


def root_documents(
    schema: GraphQLSchema, *, login: str, node_id: str
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(operation, field, document, variables) for every root field of ``schema`` but those of
    customer sessions: each valid, with every required argument, strings set to ``login`` and
    IDs to ``node_id``."""
    found = []
    roots = {"query": schema.query_type, "mutation": schema.mutation_type}
    for operation, root in roots.items():
        assert root is not None
        for name, field in root.fields.items():
            if name in CUSTOMER_SESSION_ROOTS[operation]:
                continue
            found.append((operation, name, *_document(operation, name, field, login, node_id)))
    return found


def _document(
    operation: str, name: str, field: GraphQLField, login: str, node_id: str
) -> tuple[str, dict[str, Any]]:
    declared = []
    passed = []
    variables: dict[str, Any] = {}
    for index, (arg_name, arg) in enumerate(field.args.items()):
        if not is_non_null_type(arg.type) or arg.default_value is not Undefined:
            continue
        declared.append(f"$a{index}: {arg.type}")
        passed.append(f"{arg_name}: $a{index}")
        variables[f"a{index}"] = _dummy(arg.type, login, node_id)
    head = f"{operation}({', '.join(declared)})" if declared else operation
    arguments = f"({', '.join(passed)})" if passed else ""
    selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
    return f"{head} {{ {name}{arguments}{selection} }}", variables
