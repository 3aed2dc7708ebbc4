"""Every kind of write leaves its audit event, in the write's transaction (issue 18).

Through the API on every database: who acted (the API key by id and name, or the customer
session), which object, what changed (fields before and after, sets added and removed, only
the action for a password). A refused write and a dry run leave none; a read key may read the
trail, a customer session may not read any history.
"""

from __future__ import annotations

from datasources.db.api_keys import Scope
from tests.api.audit_helpers import (
    EVENTS,
    events_of,
    fields,
    global_id,
    last_event,
    mutate,
    sets,
)
from tests.api.customer_session_helpers import PASSWORD, REVOKE, session, user_with_session
from tests.conftest import Api, unique
from tests.factories import new_customer, new_group, new_service, new_user


async def _key(api: Api) -> tuple[str, int, str]:
    """A new admin key: (Authorization value, its id, its name)."""
    secret, key = await api.storage.api_keys.create(unique("auditor-"), Scope.ADMIN)
    return f"Bearer {secret}", key.id, key.name


async def test_a_customer_user_create_and_update_record_fields_and_actor(api: Api) -> None:
    bearer, key_id, key_name = await _key(api)
    customer = await new_customer(api)
    login = unique("au")
    create = (
        "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) {"
        " userErrors { code } } }"
    )
    value = {
        "login": login,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": f"{login}@acme.test",
        "customerId": customer,
        "password": PASSWORD,
    }
    assert (await api.gql(create, {"i": value}, key=bearer)).data["customerUserCreate"][
        "userErrors"
    ] == []
    created = await last_event(api, "CustomerUser", login)
    assert created["action"] == "CREATED"
    assert created["objectType"] == "CUSTOMER_USER"
    assert created["objectId"] == global_id("CustomerUser", login)
    assert created["actor"] == {
        "apiKeyId": key_id,
        "name": key_name,
        "customerSessionId": None,
        "customerLogin": None,
    }
    assert fields(created)["UserEmail"] == (None, f"{login}@acme.test")
    assert fields(created)["UserCustomerID"] == (None, customer)
    assert "UserPassword" not in fields(created)
    assert PASSWORD not in str(created)

    await mutate(
        api,
        "customerUserUpdate",
        "CustomerUserUpdateInput",
        {"login": login, "email": f"new-{login}@acme.test", "firstName": "Augusta"},
    )
    updated = await last_event(api, "CustomerUser", login)
    assert updated["action"] == "UPDATED"
    assert fields(updated) == {
        "UserEmail": (f"{login}@acme.test", f"new-{login}@acme.test"),
        "UserFirstname": ("Ada", "Augusta"),
    }
    assert int(updated["position"]) > int(created["position"])


async def test_validity_rename_and_password_each_leave_an_event(api: Api) -> None:
    login = await new_user(api, await new_customer(api))
    await mutate(
        api,
        "customerUserUpdate",
        "CustomerUserUpdateInput",
        {"login": login, "validity": "INVALID"},
    )
    assert fields(await last_event(api, "CustomerUser", login)) == {"ValidID": ("VALID", "INVALID")}

    await mutate(
        api,
        "customerUserSetPassword",
        "CustomerUserSetPasswordInput",
        {"login": login, "password": PASSWORD},
    )
    password_set = await last_event(api, "CustomerUser", login)
    assert password_set["action"] == "PASSWORD_SET"
    assert password_set["fields"] == []
    assert password_set["sets"] == []
    assert PASSWORD not in str(password_set)

    renamed = unique("ren")
    await mutate(
        api, "customerUserUpdate", "CustomerUserUpdateInput", {"login": login, "newLogin": renamed}
    )
    rename = await last_event(api, "CustomerUser", renamed)
    assert rename["objectKey"] == renamed
    assert fields(rename) == {"UserLogin": (login, renamed)}
    # The events before the rename stay under the old login.
    assert [e["action"] for e in await events_of(api, "CustomerUser", login)] == [
        "CREATED",
        "UPDATED",
        "PASSWORD_SET",
    ]


async def test_customer_group_and_service_writes(api: Api) -> None:
    customer = await new_customer(api, name="Acme")
    await mutate(
        api,
        "customerUpdate",
        "CustomerUpdateInput",
        {"customerId": customer, "city": "Berlin", "validity": "INVALID"},
    )
    customer_events = await events_of(api, "Customer", customer)
    assert [e["action"] for e in customer_events] == ["CREATED", "UPDATED"]
    assert fields(customer_events[0])["name"] == (None, "Acme")
    assert fields(customer_events[1]) == {
        "city": (None, "Berlin"),
        "validity": ("VALID", "INVALID"),
    }
    primary = await new_user(api, customer)
    assigned = await new_user(api, await new_customer(api))
    await mutate(
        api,
        "customerUserSetCustomers",
        "CustomerUserSetCustomersInput",
        {"login": assigned, "customerIds": [customer]},
    )
    renamed = unique("C")
    await mutate(
        api,
        "customerUpdate",
        "CustomerUpdateInput",
        {"customerId": customer, "newCustomerId": renamed},
    )
    assert fields(await last_event(api, "Customer", renamed)) == {
        "customer_id": (customer, renamed)
    }
    # The users it re-pointed change too (a mirror following the feed must learn of them).
    assert fields(await last_event(api, "CustomerUser", primary)) == {
        "UserCustomerID": (customer, renamed)
    }
    assert sets(await last_event(api, "CustomerUser", assigned)) == {
        "customers": ({renamed}, {customer})
    }

    group = await new_group(api, "g-" + unique("a"))
    await mutate(api, "groupUpdate", "GroupUpdateInput", {"groupId": group, "comment": "note"})
    group_events = await events_of(api, "Group", group)
    assert [e["action"] for e in group_events] == ["CREATED", "UPDATED"]
    assert fields(group_events[1]) == {"comment": (None, "note")}

    parent = await new_service(api, "P" + unique("s"))
    child = await new_service(api, "child", parent=parent)
    await mutate(api, "serviceUpdate", "ServiceUpdateInput", {"serviceId": parent, "name": "Q"})
    parent_event = await last_event(api, "Service", parent)
    assert fields(parent_event)["name"][1] == "Q"
    child_event = await last_event(api, "Service", child)
    assert child_event["action"] == "UPDATED"
    assert fields(child_event)["name"] == (fields(parent_event)["name"][0] + "::child", "Q::child")


async def test_assignments_leave_an_event_on_both_sides(api: Api) -> None:
    customer = await new_customer(api)
    other = await new_customer(api)
    login = await new_user(api, customer)
    group = await new_group(api)
    service = await new_service(api)

    await mutate(
        api,
        "customerUserSetGroups",
        "CustomerUserSetGroupsInput",
        {"login": login, "grants": [{"groupId": group, "permissions": ["ro", "rw"]}]},
    )
    user_side = await last_event(api, "CustomerUser", login)
    assert user_side["action"] == "ASSIGNMENTS_CHANGED"
    assert sets(user_side) == {"groups": ({f"{group}:ro", f"{group}:rw"}, set())}
    group_side = await last_event(api, "Group", group)
    assert sets(group_side) == {"customer_users": ({f"{login}:ro", f"{login}:rw"}, set())}
    assert group_side["position"] != user_side["position"]

    await mutate(
        api,
        "customerUserSetGroups",
        "CustomerUserSetGroupsInput",
        {"login": login, "grants": [{"groupId": group, "permissions": ["ro"]}]},
    )
    assert sets(await last_event(api, "Group", group)) == {
        "customer_users": (set(), {f"{login}:rw"})
    }

    await mutate(
        api,
        "customerUserSetCustomers",
        "CustomerUserSetCustomersInput",
        {"login": login, "customerIds": [other]},
    )
    assert sets(await last_event(api, "Customer", other)) == {"customer_users": ({login}, set())}

    await mutate(
        api,
        "customerSetGroups",
        "CustomerSetGroupsInput",
        {"customerId": other, "grants": [{"groupId": group, "permissions": ["rw"]}]},
    )
    assert sets(await last_event(api, "Customer", other)) == {
        "groups": ({f"{group}:rw:Ticket::CustomerID::Same"}, set())
    }

    await mutate(
        api,
        "customerUserSetServices",
        "CustomerUserSetServicesInput",
        {"login": login, "serviceIds": [service]},
    )
    assert sets(await last_event(api, "CustomerUser", login)) == {
        "services": ({str(service)}, set())
    }
    await mutate(
        api,
        "serviceSetCustomerUsers",
        "ServiceSetCustomerUsersInput",
        {"serviceId": service, "logins": []},
    )
    assert sets(await last_event(api, "Service", service)) == {"customer_users": (set(), {login})}

    await mutate(api, "defaultServicesSet", "DefaultServicesSetInput", {"serviceIds": [service]})
    default = await last_event(api, "Service", service)
    assert default["action"] == "DEFAULT_SERVICES_CHANGED"
    assert fields(default) == {"default": ("false", "true")}
    await mutate(api, "defaultServicesSet", "DefaultServicesSetInput", {"serviceIds": []})


async def test_a_dry_run_or_a_refused_write_leaves_no_event(api: Api) -> None:
    login = await new_user(api, await new_customer(api))
    group = await new_group(api)
    before = await events_of(api, "CustomerUser", login)
    await mutate(
        api,
        "customerUserSetGroups",
        "CustomerUserSetGroupsInput",
        {"login": login, "grants": [{"groupId": group, "permissions": ["rw"]}], "dryRun": True},
    )
    refused = await api.gql(
        "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
        " userErrors { code } } }",
        {"i": {"login": login, "customerId": "no-such-customer-" + unique("x")}},
    )
    assert refused.data["customerUserUpdate"]["userErrors"]
    assert await events_of(api, "CustomerUser", login) == before
    assert await events_of(api, "Group", group) == (await events_of(api, "Group", group))[:1]


async def test_sessions_and_their_actor(api: Api) -> None:
    login, bearer = await user_with_session(api)
    started = await last_event(api, "CustomerUser", login)
    assert started["action"] == "SESSION_STARTED"
    me_set_password = (
        "mutation($i: MeSetPasswordInput!) { meSetPassword(input: $i) { userErrors { code } } }"
    )
    response = await api.gql(
        me_set_password,
        {"i": {"currentPassword": PASSWORD, "newPassword": "Other-Horse-8x"}},
        key=bearer,
    )
    assert response.data["meSetPassword"]["userErrors"] == [], response.body
    own = await last_event(api, "CustomerUser", login)
    assert own["action"] == "PASSWORD_SET"
    assert own["actor"]["customerLogin"] == login
    assert own["actor"]["customerSessionId"] is not None

    revoked = await api.gql(REVOKE, {"i": None}, key=bearer)
    assert revoked.data["customerSessionRevoke"]["revoked"] >= 1, revoked.body
    ended = await last_event(api, "CustomerUser", login)
    assert ended["action"] == "SESSIONS_REVOKED"
    assert ended["actor"]["customerLogin"] == login

    await session(api, login, "Other-Horse-8x")
    await api.gql(REVOKE, {"i": {"login": login}})
    by_admin = await last_event(api, "CustomerUser", login)
    assert by_admin["action"] == "SESSIONS_REVOKED"
    assert by_admin["actor"]["customerLogin"] is None


async def test_filters_and_who_may_read(api: Api) -> None:
    bearer, _, key_name = await _key(api)
    group = await new_group(api)
    update = "mutation($i: GroupUpdateInput!) { groupUpdate(input: $i) { userErrors { code } } }"
    for comment in ("one", "two", "three"):
        r = await api.gql(update, {"i": {"groupId": group, "comment": comment}}, key=bearer)
        assert r.data["groupUpdate"]["userErrors"] == []
    by_key = await api.gql(EVENTS, {"a": key_name, "f": 2}, key="read")
    page = by_key.data["auditEvents"]
    assert page["totalCount"] == 3
    assert [fields(e)["comment"][1] for e in page["nodes"]] == ["one", "two"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await api.gql(EVENTS, {"a": key_name, "after": page["pageInfo"]["endCursor"]})
    assert [fields(e)["comment"][1] for e in rest.data["auditEvents"]["nodes"]] == ["three"]

    first = page["nodes"][0]["occurredAt"]
    later = await api.gql(EVENTS, {"a": key_name, "u": first})
    assert later.data["auditEvents"]["nodes"] == []
    since = await api.gql(EVENTS, {"a": key_name, "s": first})
    assert since.data["auditEvents"]["totalCount"] == 3

    odd = await api.gql(EVENTS, {"o": global_id("Ticket", 1)})
    assert odd.error_codes == ["BAD_USER_INPUT"]


async def test_history_on_every_type_and_not_for_customer_sessions(api: Api) -> None:
    customer = await new_customer(api)
    login = await new_user(api, customer, password=PASSWORD)
    group = await new_group(api)
    service = await new_service(api)
    query = (
        "query($l: String!, $c: String!, $g: ID!, $s: ID!) {"
        " customerUser(login: $l) { history { nodes { action } totalCount } }"
        " customer(customerId: $c) {"
        " history(first: 1) { nodes { action } pageInfo { hasNextPage } } }"
        " g: node(id: $g) { ... on Group { history { nodes { action objectKey } } } }"
        " s: node(id: $s) { ... on Service { history { nodes { action } } } } }"
    )
    variables = {
        "l": login,
        "c": customer,
        "g": global_id("Group", group),
        "s": global_id("Service", service),
    }
    data = (await api.gql(query, variables, key="read")).data
    assert data["customerUser"]["history"] == {"nodes": [{"action": "CREATED"}], "totalCount": 1}
    assert data["customer"]["history"]["nodes"] == [{"action": "CREATED"}]
    assert data["g"]["history"]["nodes"] == [{"action": "CREATED", "objectKey": str(group)}]
    assert data["s"]["history"]["nodes"] == [{"action": "CREATED"}]

    bearer = await session(api, login)
    denied = await api.gql("{ me { login history { nodes { action } } } }", key=bearer)
    assert denied.error_codes == ["FORBIDDEN"]
    assert (await api.gql(EVENTS, {}, key=bearer)).error_codes == ["FORBIDDEN"]


async def test_history_of_a_page_of_users_costs_a_constant_number_of_statements(api: Api) -> None:
    customer = await new_customer(api)
    logins = [await new_user(api, customer) for _ in range(6)]
    for login in logins:
        await mutate(
            api, "customerUserUpdate", "CustomerUserUpdateInput", {"login": login, "city": "X"}
        )
    query = (
        "query($c: String!, $f: Int!) { customer(customerId: $c) {"
        " customerUsers(first: $f) { nodes { login history { nodes { action } totalCount } } } } }"
    )
    small = await api.gql(query, {"c": customer, "f": 2})
    large = await api.gql(query, {"c": customer, "f": 6})
    nodes = large.data["customer"]["customerUsers"]["nodes"]
    assert len(nodes) == 6
    assert all(
        [n["action"] for n in u["history"]["nodes"]] == ["CREATED", "UPDATED"] for u in nodes
    )
    assert all(u["history"]["totalCount"] == 2 for u in nodes)
    assert small.statements == large.statements
