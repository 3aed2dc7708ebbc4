"""What a customer session token may use (issue 14): ``me``, ``meSetPassword`` and
``customerSessionRevoke``, nothing else. Every other root field and ``node(id:)`` is refused
before GraphQL (``app.scope_gate``), and again by the fields' permissions when a document
reaches execution without the gate (``schema.permissions``); inside ``me``, the fields that
lead to other users are FORBIDDEN. On every database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import GraphQLObjectType, get_named_type
from strawberry.types.field import StrawberryField

from datasources.db.api_keys import Scope
from loaders.registry import Loaders
from resolvers.context import Actor, RequestContext
from schema.builder import build_api
from schema.common import global_id
from schema.permissions import DEFINITION_BACKREF, NotForCustomerSessions
from tests.api.auth_helpers import assert_forbidden
from tests.api.customer_session_helpers import (
    ME,
    REVOKE,
    auth_key,
    me,
    root_documents,
    session,
    user_with_session,
)
from tests.conftest import Api
from tests.factories import new_customer, new_group, new_service, new_user


def _refused_before_graphql(r: Any, *secrets: str) -> None:
    assert r.status == 403, r.body
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert r.body.get("data") is None
    text = json.dumps(r.body)
    for secret in secrets:
        assert secret not in text


async def test_every_other_root_field_and_node_is_forbidden_before_graphql(api: Api) -> None:
    mine, bearer = await user_with_session(api)
    other = await new_user(api, await new_customer(api))
    schema = build_api(api.storage.config).schema._schema
    documents = root_documents(schema, login=other, node_id=global_id("CustomerUser", other))
    assert len(documents) > 20  # every query and mutation of the schema but the three
    for _operation, name, document, variables in documents:
        r = await api.gql(document, variables, key=bearer)
        _refused_before_graphql(r, other)
        assert "me, meSetPassword" not in name
    for node_id in (global_id("CustomerUser", other), global_id("CustomerUser", mine)):
        r = await api.gql(
            "query($id: ID!) { node(id: $id) { id ... on CustomerUser { login } } }",
            {"id": node_id},
            key=bearer,
        )
        _refused_before_graphql(r, other)
    for document in (
        "{ __schema { types { name } } }",
        f'{{ me {{ login }} customerUser(login: "{other}") {{ login }} }}',
        "query { ...F } fragment F on Query { me { login } }",
        "query { ... on Query { me { login } } }",
        "subscription { me { login } }",
        '{ me { login } } mutation M { customerUserCreate(input: {login: "x"}) { __typename } }',
    ):
        _refused_before_graphql(await api.gql(document, key=bearer), other)
    r = await api.post([{"query": ME}], key=bearer)  # a batch: refused for every caller
    assert r.status == 400, r.body
    assert r.error_codes == ["BAD_REQUEST"]
    ok = await api.gql(
        "query Me { __typename me { ...U } } fragment U on CustomerUser { login }", key=bearer
    )
    assert ok.status == 200
    assert ok.data == {"__typename": "Query", "me": {"login": mine}}


async def test_field_permissions_refuse_them_where_the_gate_is_skipped(api: Api) -> None:
    """A document that reaches execution without the gate (a fast path, a future transport)
    is refused by every root field itself, on Strawberry's path and on the direct one."""
    mine, _ = await user_with_session(api)
    other = await new_user(api, await new_customer(api))
    built = build_api(api.storage.config)
    actor = Actor(id=0, name="t", scope=Scope.CUSTOMER, customer_login=mine, session_id=-1)

    def context() -> RequestContext:
        return RequestContext(
            storage=api.storage,
            loaders=Loaders(api.storage),
            actor=actor,
            customer_user_object=built.types.wrap,
            customer_object=built.customer_type.wrap,
        )

    documents = root_documents(
        built.schema._schema, login=other, node_id=global_id("CustomerUser", other)
    )
    documents.append(
        (
            "query",
            "node",
            "query($i: ID!) { node(id: $i) { id } }",
            {"i": global_id("CustomerUser", mine)},
        )
    )
    for _operation, name, document, variables in documents:
        results = [
            await built.schema.execute(document, variables, context_value=context()),
            await built.direct.execute(
                document,
                variable_values=variables,
                context_value=context(),
                operation_name=None,
                operation_extensions=None,
            ),
        ]
        for result in results:
            if result is None:
                continue  # a mutation: the direct path leaves it to Strawberry's
            assert result.errors, (name, result)
            codes = [(e.extensions or {}).get("code") for e in result.errors]
            assert codes == ["FORBIDDEN"], (name, result.errors)
            assert not (result.data or {}).get(name), (name, result.data)
            assert other not in json.dumps(result.data)


@pytest.mark.parametrize(
    "path",
    [
        "customers { customerUsers { nodes { login } } }",
        "customer { customerUsers { nodes { login } } }",
        "effectivePermissions { group { customerUsers { nodes { customerUser { login } } } } }",
        "effectivePermissions { group { userGrants { login } } }",
        "effectivePermissions { group { customerGrants { customerId } } }",
        "groupGrants { group { customerUsers { nodes { customerUser { login } } } } }",
        "services { customerUsers { nodes { login } } }",
        "availableServices { customerUsers { nodes { login } } }",
    ],
)
async def test_fields_leading_to_other_users_are_forbidden_inside_me(
    groups_on: Api, path: str
) -> None:
    api = groups_on
    customer = await new_customer(api)
    mine = await new_user(api, customer, password="Correct-Horse-7")
    other = await new_user(api, customer)
    group = await new_group(api)
    service = await new_service(api)
    for login in (mine, other):
        for mutation, values in (
            ("customerUserSetGroups", {"grants": [{"groupId": group, "permissions": ["rw"]}]}),
            ("customerUserSetServices", {"serviceIds": [service]}),
            ("customerUserSetCustomers", {"customerIds": [customer]}),
        ):
            r = await api.gql(
                f"mutation($i: {mutation[0].upper() + mutation[1:]}Input!) "
                f"{{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}",
                {"i": {"login": login, **values}},
            )
            assert r.data[mutation]["userErrors"] == [], r.body
    bearer = await session(api, mine)
    r = await me(api, bearer, f"{{ me {{ login {path} }} }}")
    assert r.status == 200
    assert "FORBIDDEN" in r.error_codes, r.body
    assert other not in json.dumps(r.body)
    admin = await api.gql(f'{{ customerUser(login: "{mine}") {{ login {path} }} }}')
    assert "errors" not in admin.body, admin.body  # an admin key reads them


def test_no_field_reachable_from_me_leads_to_a_customer_user_unguarded() -> None:
    """Walk the schema from ``CustomerUser`` (what ``me`` returns) along every field a
    customer session may read: none returns a ``CustomerUser`` again (another user)."""
    from domain.config import RosterConfig

    schema = build_api(RosterConfig()).schema._schema
    start = schema.get_type("CustomerUser")
    assert isinstance(start, GraphQLObjectType)
    seen = {start.name}
    todo = [start]
    while todo:
        current = todo.pop()
        for name, field in current.fields.items():
            definition = field.extensions.get(DEFINITION_BACKREF)
            if isinstance(definition, StrawberryField) and (
                NotForCustomerSessions in definition.permission_classes
            ):
                continue
            target = get_named_type(field.type)
            assert target.name != "CustomerUser", f"{current.name}.{name} leads to other users"
            if isinstance(target, GraphQLObjectType) and target.name not in seen:
                seen.add(target.name)
                todo.append(target)
    assert {"Customer", "Group", "Service", "EffectivePermission"} <= seen


async def test_api_keys_cannot_act_as_a_customer_and_authenticate_keys_only_sign_in(
    api: Api,
) -> None:
    login, bearer = await user_with_session(api)
    for key in ("admin", "read"):
        r = await api.gql(ME, key=key)
        assert r.status == 200
        assert r.error_codes == ["FORBIDDEN"], r.body
        assert r.body["data"] == {"me": None}
    r = await api.gql(REVOKE, {"i": {"login": login}}, key="read")
    assert_forbidden(r, "customerSessionRevoke")
    portal, _ = await auth_key(api)
    for document in (ME, REVOKE, "{ customerUsers { nodes { login } } }"):
        _refused_before_graphql(await api.gql(document, key=portal))
    # The session still works: nothing above ended it.
    assert (await me(api, bearer)).data == {"me": {"login": login}}
