"""Documents answered by one SQL statement (``schema.planner``) answer byte for byte what
the general path answers (issue 15).

Every shape here runs on the same data twice: as shipped (a query text seen before; on
PostgreSQL the planner answers it with one statement) and inside ``planner.disabled()``
(Strawberry, the loaders and graphql-core). The bodies must be identical bytes. The data
holds what the SQL must spell exactly as the records do: blank and NULL optional values,
unknown validity ids, relation rows in another letter case, rows whose group, customer or
service is gone, ungranted rows (``permission_value = 0``), duplicate rows, a customer ID
assigned that is also the primary one in other case, times with and without fractions.

SQLite has no planner (``Storage.nested_reads`` is None there): the same shapes run and
nothing is planned. MariaDB plans one user's own fields only (``FLAT``; issue 13's lookup),
the other shapes run there through the general path.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from schema import planner
from tests.api.groups_helpers import (
    set_customer_groups,
    set_user_customers,
    set_user_groups,
    set_validity,
)
from tests.api.services_helpers import set_defaults, set_services
from tests.api.test_nested_lists import Q2, _fill
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, new_group, new_service

PEER_Q2 = """query Q2($first: Int! = 1000) { customerUsers(valid: false, first: $first) {
  nodes { login firstName lastName email customerId customer { name } customerIds
    groupGrants { group { name } permissions } services { name } } } }"""
PEER_Q3 = """query Q3($login: String!) { customerUser(login: $login) {
    login email customerId title firstName lastName phone fax mobile street zip city country
    comment validity createdAt changedAt
    customer { customerId name street zip city country url comment validity
      groupGrants { group { name } permissions context } }
    customers { customerId name } groupGrants { group { name } permissions }
    services { name validity } }
  defaultServices { name validity } }"""
WIDE = """query($f: Int!) { page: customerUsers(first: $f) { list: nodes {
  who: login validity createdAt changedAt title phone
  customer { id: customerId name url comment validity createdAt changedAt
    groupGrants { context permissions group { name comment validity } } }
  customers { customerId street city }
  grants: groupGrants { permissions group { validity comment name } }
  services { validity comment name } ids: customerIds } } }"""
TWO_ROOTS = """query($l: String!, $f: Int!) { customerUser(login: $l) { login customerIds }
  customerUsers(first: $f) { nodes { login } } defaultServices { name } }"""
TWICE = """query($f: Int!) { customerUsers(first: $f) { nodes { login
  a: services { name } b: services { comment name } g: groupGrants { permissions }
  h: groupGrants { group { name } } } } }"""
DEFAULTS = "{ defaultServices { name validity comment } }"
AVAILABLE = """{ customerUsers(first: 1000) { nodes {
  login availableServices { name } usesDefaultServices } } }"""  # bench/scenarios.py (4)
AVAILABLE_WIDE = """query($f: Int!) { customerUsers(valid: false, first: $f) { nodes { login
  services { name } usable: availableServices { comment validity name } usesDefaultServices
  again: availableServices { name } } } }"""
USES_DEFAULTS = """query($f: Int!) { customerUsers(first: $f) { nodes {
  usesDefaultServices login } } }"""
USES_FIRST = """query($f: Int!) { customerUsers(first: $f) { nodes {
  usesDefaultServices login availableServices { name } } } }"""
ONE_AVAILABLE = """query($login: String!) { customerUser(login: $login) { login
  availableServices { name validity } usesDefaultServices services { name } } }"""
VALID_DEFAULT = "{ customerUsers { nodes { login validity } } }"
PLANNED = [
    (PEER_Q2, {}),
    (PEER_Q2, {"first": 3}),
    (PEER_Q2, {"first": 0}),
    (Q2.replace(", customerIdExact: $c", "").replace(", $c: String", ""), {"f": 40}),
    (WIDE, {"f": 40}),
    (TWICE, {"f": 40}),  # a page's relation tables under aliases (set-based, one each)
    (DEFAULTS, {}),
    (VALID_DEFAULT, {}),
    (AVAILABLE, {}),
    (AVAILABLE_WIDE, {"f": 40}),
    (USES_DEFAULTS, {"f": 40}),
    (USES_FIRST, {"f": 40}),
]
WITH_IDS = PEER_Q3.replace("validity createdAt", "validity customerIds createdAt")
PER_USER = [PEER_Q3, WITH_IDS, TWO_ROOTS, ONE_AVAILABLE]
FLAT = [  # one user's own fields: planned on PostgreSQL and MariaDB
    """query($login: String!) { customerUser(login: $login) { login firstName lastName email
      customerId title phone fax mobile street zip city country comment validity } }""",
    "query($l: String!) { who: customerUser(login: $l) { id: login validity mail: email } }",
]
FLAT_PLANNED = ("postgresql", "mariadb")
NOT_PLANNED = [
    (Q2, {"f": 10, "c": None}),  # a search argument
    ("{ customerUsers(first: 3) { nodes { __typename login } } }", {}),
    ("{ customerUsers(first: 3) { pageInfo { hasNextPage } nodes { login } } }", {}),
    ("{ customerUsers(first: 3) { nodes { ...F } } } fragment F on CustomerUser { login }", {}),
    ("{ customerUsers(first: 3) { nodes { login @include(if: true) } } }", {}),
    ("{ customerUsers(first: 3) { nodes { login fullName } } }", {}),
    ("{ customerUsers(first: 3) { nodes { login effectivePermissions { permission } } } }", {}),
    ("{ customerUsers(first: 3) { nodes { customer { customerUsers { totalCount } } } } }", {}),
]


async def _post(api: Api, query: str, variables: dict[str, Any], key: str) -> Any:
    return await api.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
    )


async def _both(
    api: Api, query: str, variables: dict[str, Any], *, key: str = ""
) -> tuple[bytes, int, int]:
    """The body (equal bytes on both paths), the statements of the shipped path, and
    whether the planner answered it."""
    key = key or api.admin_key
    await _post(api, query, variables, key)  # the first request of a text: Strawberry
    before = planner.Tally.answered
    shipped = await _post(api, query, variables, key)
    answered = planner.Tally.answered - before
    with planner.disabled():
        general = await _post(api, query, variables, key)
    assert shipped.status_code == general.status_code
    assert shipped.content == general.content, query
    return shipped.content, int(shipped.headers["x-roster-sql-statements"]), answered


async def _edges(api: Api, logins: list[str]) -> None:
    """The rows the SQL must read exactly as the records and loaders do."""
    odd = await new_customer(api, "nest-odd", url="", city="Odd")
    gone_group = await new_group(api, "g-gone")
    invalid_group = await new_group(api, "g-off")
    comment_service = await new_service(api, "svc-c", comment="with a comment")
    # availableServices: a child of a service made invalid (it counts only with
    # KeepChildren), an invalid service beside a valid one, and invalid ones only
    parent = await new_service(api, "par")
    child = await new_service(api, "kid", parent=parent)
    off_service = await new_service(api, "svc-off")
    await set_services(api, logins[4], [child])
    await set_services(api, logins[9], [off_service, comment_service])
    await set_services(api, logins[10], [off_service])
    await set_user_groups(api, logins[1], {invalid_group: ["rw", "ro"]})
    await set_customer_groups(
        api, odd, [(invalid_group, ["rw", "ro"], "SAME"), (gone_group, ["ro"], "OTHER")]
    )
    await set_validity(api, invalid_group, "INVALID")  # granted while valid
    await set_user_customers(api, logins[2], ["nest-2", odd, "nest-3"])
    await set_services(api, logins[3], [comment_service])
    await set_defaults(api, [comment_service, off_service, child])
    statements = [
        "UPDATE customer_user SET title = '', phone = NULL, valid_id = 3 WHERE login = :a",
        "UPDATE customer_user SET valid_id = 7, create_time = '2020-01-02 03:04:05' "
        "WHERE login = :b",
        "UPDATE customer_user SET customer_id = '' WHERE login = :c",
        "UPDATE customer_user SET customer_id = 'no-such-company' WHERE login = :d",
        "INSERT INTO customer_user_customer (user_id, customer_id, create_time, create_by, "
        "change_time, change_by) VALUES (upper(:a), 'NEST-1', {now}, 1, {now}, 1), "
        "(:a, 'gone-company', {now}, 1, {now}, 1), (:a, 'nest-odd', {now}, 1, {now}, 1)",
        "INSERT INTO group_customer_user (user_id, group_id, permission_key, permission_value,"
        " create_time, create_by, change_time, change_by) SELECT upper(:a), id, 'rw', 1, "
        "{now}, 1, {now}, 1 FROM groups_table WHERE name = 'g-gone'",
        "INSERT INTO group_customer_user (user_id, group_id, permission_key, permission_value,"
        " create_time, create_by, change_time, change_by) SELECT :a, id, 'ro', 0, {now}, 1, "
        "{now}, 1 FROM groups_table WHERE name = 'g-gone'",
        "INSERT INTO group_customer_user (user_id, group_id, permission_key, permission_value,"
        " create_time, create_by, change_time, change_by) VALUES "
        "(:a, 99999, 'rw', 1, {now}, 1, {now}, 1)",
        "INSERT INTO group_customer (customer_id, group_id, permission_key, permission_value,"
        " permission_context, create_time, create_by, change_time, change_by) SELECT "
        "'NEST-ODD', id, 'rw', 1, 'Ticket::CustomerID::Elsewhere', {now}, 1, {now}, 1 "
        "FROM groups_table WHERE name = 'g-gone'",
        "INSERT INTO service_customer_user (customer_user_login, service_id, create_time, "
        "create_by) SELECT upper(:a), id, {now}, 1 FROM service WHERE name = 'svc-c'",
        "INSERT INTO service_customer_user (customer_user_login, service_id, create_time, "
        "create_by) SELECT :a, id, {now}, 1 FROM service WHERE name = 'svc-c'",
        "INSERT INTO service_customer_user (customer_user_login, service_id, create_time, "
        "create_by) VALUES (:a, 99999, {now}, 1)",
        "UPDATE customer_company SET comments = '' WHERE customer_id = 'nest-1'",
        "UPDATE service SET valid_id = 2 WHERE name IN ('par', 'svc-off')",
        # blanks are not empty (MariaDB's PAD SPACE collations compare them equal to '')
        "UPDATE customer_user SET title = '  ', street = ' ' WHERE login = :e",
    ]
    if api.kind == "mariadb":  # OTOBO's installer's collation: PAD SPACE, '  ' = ''
        statements += [
            f"ALTER TABLE customer_user MODIFY {column} COLLATE utf8mb4_unicode_ci"
            for column in ("title VARCHAR(50)", "street VARCHAR(150)")
        ]
    statements = [statement.replace("{now}", "CURRENT_TIMESTAMP") for statement in statements]
    names = {"a": logins[5], "b": logins[6], "c": logins[7], "d": logins[8], "e": logins[9]}
    async with api.storage.engine.begin() as conn:
        for statement in statements:
            wanted = {k: v for k, v in names.items() if f":{k}" in statement}
            await conn.execute(sa.text(statement), wanted)


async def _api(make_api: MakeApi, **config: Any) -> tuple[Api, list[str]]:
    api = await make_api(
        customer_group={"support": True, "always_groups": ["g-c"], "contexts": ["Same", "Other"]},
        **config,
    )
    await api.gql("{ customerUsers(first: 1) { nodes { login } } }")  # the key is looked up
    logins, _ = await _fill(api)
    await _edges(api, logins)
    return api, logins


async def test_every_planned_shape_answers_the_same_bytes(make_api: MakeApi) -> None:
    api, logins = await _api(make_api)
    planned = api.kind == "postgresql"
    for query, variables in PLANNED:
        body, statements, answered = await _both(api, query, variables)
        assert answered == (1 if planned else 0), query
        if planned:
            assert statements == 1, query  # the whole answer in one statement
        assert b'"errors"' not in body
    for query in PER_USER:
        for login in [*logins[:11], logins[20].upper(), "nobody-here"]:
            per_user: dict[str, Any] = {"login": login, "l": login, "f": 5}
            body, statements, answered = await _both(api, query, per_user)
            assert answered == (1 if planned else 0)
            if planned:
                assert statements == 1
            assert b'"errors"' not in body
    for query in FLAT:
        for login in [*logins[:10], logins[20].upper(), "nobody-here"]:
            body, statements, answered = await _both(api, query, {"login": login, "l": login})
            assert answered == (1 if api.kind in FLAT_PLANNED else 0), (query, login)
            if answered:
                assert statements == 1
            assert b'"errors"' not in body


async def test_the_edge_rows_read_as_the_records_do(make_api: MakeApi) -> None:
    """What the comparison covers, seen in the answers: the general path's semantics."""
    api, logins = await _api(make_api)
    body, _, _ = await _both(api, WITH_IDS, {"login": logins[5]})
    user = _json(body)["data"]["customerUser"]
    assert user["title"] is None
    assert user["phone"] is None
    assert user["validity"] == "INVALID_TEMPORARILY"
    # the primary first, then the assigned by code point, each once (NEST-1 is nest-1)
    assert user["customerIds"] == ["nest-1", "gone-company", "nest-2", "nest-odd"]
    grants = [(g["group"]["name"], g["permissions"]) for g in user["groupGrants"]]
    assert grants == [("g-a", ["rw"]), ("g-c", ["ro"]), ("g-gone", ["rw"])]
    body, _, _ = await _both(api, PEER_Q3, {"login": logins[6]})
    user = _json(body)["data"]["customerUser"]
    assert user["validity"] == "INVALID"
    assert user["createdAt"] == "2020-01-02T03:04:05+00:00"
    body, _, _ = await _both(api, PEER_Q3, {"login": logins[7]})
    assert _json(body)["data"]["customerUser"]["customer"] is None
    body, _, _ = await _both(api, PEER_Q3, {"login": logins[2]})
    customers = _json(body)["data"]["customerUser"]["customers"]
    assert [c["customerId"] for c in customers] == ["nest-2", "nest-3", "nest-odd"]
    body, _, _ = await _both(api, FLAT[0], {"login": logins[9]})
    user = _json(body)["data"]["customerUser"]
    assert (user["title"], user["street"]) == ("  ", " ")
    body, _, _ = await _both(api, FLAT[0], {"login": logins[5]})
    user = _json(body)["data"]["customerUser"]
    assert (user["title"], user["phone"], user["validity"]) == (None, None, "INVALID_TEMPORARILY")


@pytest.mark.parametrize("keep_children", [False, True])
async def test_available_services_follow_own_or_default(
    make_api: MakeApi, keep_children: bool
) -> None:
    """OTOBO's own-or-default rule on both paths, with and without KeepChildren."""
    api, logins = await _api(make_api, services={"keep_children": keep_children})
    planned = api.kind == "postgresql"
    shapes = [(USES_DEFAULTS, {"f": 40}), (USES_FIRST, {"f": 40}), (AVAILABLE, {})]
    for query, variables in [*shapes, (AVAILABLE_WIDE, {"f": 40})]:
        body, statements, answered = await _both(api, query, variables)
        assert answered == (1 if planned else 0)
        if planned:
            assert statements == 1
    users = {u["login"]: u for u in _json(body)["data"]["customerUsers"]["nodes"]}
    defaults = ["kid", "svc-c"] if keep_children else ["svc-c"]
    kid = users[logins[4]]  # its only service lies below an invalid one
    assert [s["name"] for s in kid["again"]] == (["par::kid"] if keep_children else defaults)
    assert kid["usesDefaultServices"] is not keep_children
    mixed = users[logins[9]]  # an invalid service beside a valid one: the valid one
    assert [s["name"] for s in mixed["again"]] == ["svc-c"]
    assert mixed["usesDefaultServices"] is False
    off = users[logins[10]]  # only invalid services: the defaults that count as valid
    assert [s["name"] for s in off["again"]] == [
        "par::kid" if name == "kid" else name for name in defaults
    ]
    assert off["usesDefaultServices"] is True
    for login in (logins[4], logins[10]):
        body, _, answered = await _both(api, ONE_AVAILABLE, {"login": login})
        assert answered == (1 if planned else 0)


async def test_shapes_the_planner_leaves_alone_answer_as_before(make_api: MakeApi) -> None:
    api, _ = await _api(make_api)
    for query, variables in NOT_PLANNED:
        _, _, answered = await _both(api, query, variables)
        assert answered == 0, query


async def test_refusals_and_bad_arguments_are_the_general_paths(make_api: MakeApi) -> None:
    """A page size out of range, a missing variable, and the read key (planned as the admin
    key): the same answers, errors included."""
    api, logins = await _api(make_api)
    body, _, answered = await _both(api, PEER_Q2, {"first": 5000})
    assert answered == 0
    assert b"BAD_USER_INPUT" in body
    body, _, answered = await _both(api, PEER_Q3, {})
    assert answered == 0
    assert b'"errors"' in body
    _, _, answered = await _both(api, PEER_Q3, {"login": logins[3]}, key=api.read_key)
    assert answered == (1 if api.kind == "postgresql" else 0)
    # A value PostgreSQL refuses (NUL in a text parameter): the planned statement fails and
    # the general path answers, as it always has (no user has such a login).
    body, _, answered = await _both(api, PEER_Q3, {"login": "nul\x00here"})
    assert answered == 0
    assert json.loads(body)["data"]["customerUser"] is None


async def test_the_switch_turns_the_planner_off(make_api: MakeApi) -> None:
    api = await make_api(server={"planner": False})
    _, _, answered = await _both(api, PEER_Q2, {"first": 5})
    assert answered == 0


def _json(body: bytes) -> Any:
    return json.loads(body)
