"""``nodes(ids:)``: several objects by global ID in one field, as ``node(id:)`` finds each.

In the order asked, null where ``node`` gives null (unknown or malformed IDs), at most
``MAX_NODES`` IDs, the same authorization as ``node``, and loaded in batches: the statement
count does not grow with the number of IDs. On every database.
"""

from __future__ import annotations

from schema.builder import MAX_NODES
from schema.common import global_id
from tests.api.customer_session_helpers import user_with_session
from tests.checks import assert_clean_200, at_one_cost, b64
from tests.conftest import Api
from tests.factories import new_customer, new_group, new_service, new_user

NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on CustomerUser { login }
    ... on Customer { customerId }
    ... on Group { groupId }
    ... on Service { serviceId }
  }
}
"""


async def test_nodes_of_every_type_in_the_order_asked(api: Api) -> None:
    customer = await new_customer(api)
    login = await new_user(api, customer)
    group_id = await new_group(api)
    service_id = await new_service(api)
    ids = [
        global_id("Service", str(service_id)),
        global_id("CustomerUser", login),
        global_id("Group", str(group_id)),
        global_id("Customer", customer),
    ]
    r = await api.gql(NODES, {"ids": ids})
    assert_clean_200(r)
    assert r.data["nodes"] == [
        {"__typename": "Service", "id": ids[0], "serviceId": service_id},
        {"__typename": "CustomerUser", "id": ids[1], "login": login},
        {"__typename": "Group", "id": ids[2], "groupId": group_id},
        {"__typename": "Customer", "id": ids[3], "customerId": customer},
    ]


async def test_unknown_and_malformed_ids_are_null_in_their_places(api: Api) -> None:
    login = await new_user(api, await new_customer(api))
    known = global_id("CustomerUser", login)
    ids = [
        "not base64 at all!",
        known,
        global_id("CustomerUser", "nobody-by-this-login"),
        b64("NoSuchType:1"),
        global_id("Group", "007"),
        known,
    ]
    r = await api.gql(NODES, {"ids": ids})
    assert_clean_200(r)
    nodes = r.data["nodes"]
    assert [n and n["id"] for n in nodes] == [None, known, None, None, None, known]
    one = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": ids[2]})
    assert one.data["node"] is None  # as node answers the same ID


async def test_an_empty_list_is_an_empty_answer(api: Api) -> None:
    r = await api.gql(NODES, {"ids": []})
    assert r.data["nodes"] == []


async def test_more_ids_than_the_limit_are_refused(api: Api) -> None:
    ids = [global_id("Group", str(i + 1)) for i in range(MAX_NODES + 1)]
    r = await api.gql(NODES, {"ids": ids})
    assert_clean_200(r)
    assert r.error_codes == ["BAD_USER_INPUT"], r.body
    assert r.body["data"] is None
    assert str(MAX_NODES) in r.errors[0]["message"]
    full = await api.gql(NODES, {"ids": ids[:MAX_NODES]})
    assert_clean_200(full)
    assert len(full.data["nodes"]) == MAX_NODES


async def test_a_read_key_reads_nodes(api: Api) -> None:
    login = await new_user(api, await new_customer(api))
    r = await api.gql(NODES, {"ids": [global_id("CustomerUser", login)]}, key="read")
    assert r.data["nodes"][0]["login"] == login


async def test_without_a_key_nodes_is_refused(api: Api) -> None:
    r = await api.gql(NODES, {"ids": []}, key=None)
    assert r.error_codes == ["UNAUTHENTICATED"], r.body


async def test_a_customer_session_may_not_use_nodes(api: Api) -> None:
    mine, bearer = await user_with_session(api)
    r = await api.gql(NODES, {"ids": [global_id("CustomerUser", mine)]}, key=bearer)
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert mine not in str(r.body.get("data"))


async def test_statements_do_not_grow_with_the_number_of_ids(api: Api) -> None:
    """Each type's IDs are looked up in one batch, like a page's relations."""
    customers = [await new_customer(api) for _ in range(8)]
    logins = [await new_user(api, customer) for customer in customers]
    groups = [await new_group(api) for _ in range(8)]
    services = [await new_service(api) for _ in range(8)]

    def ids(count: int) -> list[str]:
        return [
            *(global_id("CustomerUser", login) for login in logins[:count]),
            *(global_id("Customer", customer) for customer in customers[:count]),
            *(global_id("Group", str(group)) for group in groups[:count]),
            *(global_id("Service", str(service)) for service in services[:count]),
        ]

    small, large = await at_one_cost(api, NODES, {"ids": ids(2)}, {"ids": ids(8)})
    assert len(small.data["nodes"]) == 8
    assert len(large.data["nodes"]) == 32
    assert all(large.data["nodes"])
    assert 0 < small.statements <= 4  # one lookup per type
