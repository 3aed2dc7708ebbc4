"""Authentication, authorization, request limits and error masking, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from app.server import create_app
from datasources.db.api_keys import Scope
from datasources.db.tables import customer_company, customer_user
from tests.conftest import Api, GraphQLResponse, MakeApi, unique

CUSTOMER = "customerId name createdBy changedBy createdAt changedAt"
CUSTOMER_CREATE = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { "
    f"customer {{ {CUSTOMER} }} userErrors {{ field code }} }} }}"
)
CUSTOMER_UPDATE = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    f"customer {{ {CUSTOMER} }} userErrors {{ field code }} }} }}"
)
CUSTOMER_GET = f"query($c: String!) {{ customer(customerId: $c) {{ {CUSTOMER} city }} }}"
USER = "login city createdBy changedBy changedAt"
USER_CREATE = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
    f"customerUser {{ {USER} }} generatedPassword userErrors {{ field code }} }} }}"
)
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    f"customerUser {{ {USER} }} userErrors {{ field code }} }} }}"
)
USER_SET_PASSWORD = (
    "mutation($i: CustomerUserSetPasswordInput!) { customerUserSetPassword(input: $i) { "
    "customerUser { login } generatedPassword userErrors { field code } } }"
)
USER_GET = f"query($l: String!) {{ customerUser(login: $l) {{ {USER} }} }}"
LISTING = "{ customers(first: 5) { nodes { customerId name } } }"

# A Python traceback, a source path, or a file reference in a traceback.
LEAK = re.compile(r"Traceback|File \"|\.py\b|/work/|site-packages")


def assert_clean_text(text: str) -> None:
    assert not LEAK.search(text), text[:1000]


def assert_clean(r: GraphQLResponse) -> None:
    assert_clean_text(json.dumps(r.body))


@pytest.fixture
async def raw(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same app that reports an unhandled exception as the HTTP 500 a real
    server would send, instead of raising it into the test."""
    app = create_app(api.storage.config, storage=api.storage)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://roster.test") as client:
        yield client


def bearer(key: str) -> str:
    return f"Bearer {key}"


async def new_key(api: Api, scope: Scope = Scope.ADMIN, prefix: str = "key-") -> tuple[str, str]:
    """A fresh key: (the clear key, its name)."""
    secret, key = await api.storage.api_keys.create(unique(prefix), scope)
    return secret, key.name


async def create_customer(api: Api, key: str | None = "admin", **values: Any) -> dict[str, Any]:
    cid = unique("C")
    r = await api.gql(
        CUSTOMER_CREATE, {"i": {"customerId": cid, "name": f"N {cid}", **values}}, key=key
    )
    assert_clean(r)
    payload = r.data["customerCreate"]
    assert payload["userErrors"] == [], payload
    return payload["customer"]  # type: ignore[no-any-return]


async def create_user(api: Api, customer_id: str, key: str | None = "admin") -> dict[str, Any]:
    login = unique("u")
    r = await api.gql(
        USER_CREATE,
        {
            "i": {
                "login": login,
                "firstName": "F",
                "lastName": "L",
                "email": f"{login}@acme.test",
                "customerId": customer_id,
                "password": "correct horse battery staple",
            }
        },
        key=key,
    )
    assert_clean(r)
    payload = r.data["customerUserCreate"]
    assert payload["userErrors"] == [], payload
    return payload["customerUser"]  # type: ignore[no-any-return]


def assert_unauthenticated(r: GraphQLResponse) -> None:
    assert r.status == 401, r.body
    assert r.body == {"data": None, "errors": r.errors}, r.body  # nothing else in the body
    assert r.error_codes == ["UNAUTHENTICATED"]
    assert "N " not in json.dumps(r.body)  # no customer name leaked
    assert_clean(r)


# --- authentication ----------------------------------------------------------------------------


async def test_no_authorization_header_is_401(api: Api) -> None:
    for query in (LISTING, "{ __schema { types { name } } }", "{ __typename }"):
        assert_unauthenticated(await api.gql(query, key=None))


async def test_401_carries_www_authenticate(api: Api) -> None:
    response = await api.client.post("/graphql", json={"query": LISTING})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rst_thisisnotakey",
        "Bearer nonsense",
        "Basic xyz",
        "Basic YWRtaW46YWRtaW4=",
        "Bearer ",
        "Bearer",
        "Bearer    ",
        "",
        "Token rst_abc",
        "Bearer rst_" + "a" * 500,
        "Bearer rst_' OR '1'='1",
    ],
)
async def test_bad_authorization_header_is_401(api: Api, header: str) -> None:
    await create_customer(api)  # there is data to leak
    assert_unauthenticated(await api.gql(LISTING, key=header))


async def test_near_miss_of_a_real_key_is_401(api: Api) -> None:
    for header in (
        bearer(api.admin_key + "x"),
        bearer(api.admin_key[:-1]),
        bearer(api.admin_key.upper()),
        f"Basic {api.admin_key}",
        api.admin_key,
    ):
        assert_unauthenticated(await api.gql(LISTING, key=header))


async def test_scheme_is_case_insensitive_and_token_trimmed(api: Api) -> None:
    for header in (
        f"bearer {api.admin_key}",
        f"BEARER {api.admin_key}",
        f"Bearer  {api.admin_key}",
        f"Bearer {api.admin_key} ",
    ):
        r = await api.gql(LISTING, key=header)
        assert r.status == 200
        assert "customers" in r.data


async def test_revoked_key_is_401(api: Api) -> None:
    secret, name = await new_key(api, Scope.ADMIN, "revoke-me-")
    assert (await api.gql(LISTING, key=bearer(secret))).status == 200
    assert await api.storage.api_keys.revoke(name) is True
    assert_unauthenticated(await api.gql(LISTING, key=bearer(secret)))
    cid = unique("C")
    r = await api.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": cid}}, key=bearer(secret))
    assert_unauthenticated(r)
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None
    assert await api.storage.api_keys.revoke(name) is False  # already revoked


async def test_revoked_read_key_is_401(api: Api) -> None:
    secret, name = await new_key(api, Scope.READ, "revoke-read-")
    await api.storage.api_keys.revoke(name)
    assert_unauthenticated(await api.gql(LISTING, key=bearer(secret)))


async def test_unauthenticated_mutation_writes_nothing(api: Api) -> None:
    cid = unique("C")
    for key in (None, "Bearer rst_wrong", "Basic xyz"):
        r = await api.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": cid}}, key=key)
        assert_unauthenticated(r)
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_unauthenticated_get_is_401(raw: httpx.AsyncClient) -> None:
    for accept in (None, "application/json", "*/*"):
        headers = {"Accept": accept} if accept else {}
        response = await raw.get("/graphql", headers=headers)
        assert response.status_code == 401, accept
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert_clean_text(response.text)


# --- authorization (read scope) ------------------------------------------------------------------


async def test_read_key_can_query(api: Api) -> None:
    customer = await create_customer(api)
    user = await create_user(api, customer["customerId"])
    data = (
        await api.gql(
            "query($c: String!, $l: String!) { customer(customerId: $c) { customerId } "
            "customerUser(login: $l) { login customer { customerId } } "
            "customers(first: 1) { totalCount } customerUsers(first: 1) { totalCount } "
            "customerUserFields { attribute } }",
            {"c": customer["customerId"], "l": user["login"]},
            key="read",
        )
    ).data
    assert data["customer"] == {"customerId": customer["customerId"]}
    assert data["customerUser"]["customer"] == {"customerId": customer["customerId"]}
    assert data["customers"]["totalCount"] >= 1
    assert data["customerUserFields"]


def assert_forbidden(r: GraphQLResponse, field: str) -> None:
    assert_clean(r)
    assert r.status == 200
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert r.errors[0]["path"] == [field]
    assert r.body.get("data") is None


async def test_read_key_cannot_create_customer(api: Api) -> None:
    cid = unique("C")
    r = await api.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": cid}}, key="read")
    assert_forbidden(r, "customerCreate")
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_read_key_cannot_update_customer(api: Api) -> None:
    customer = await create_customer(api, city="Before")
    cid = customer["customerId"]
    new_id = unique("C")
    r = await api.gql(
        CUSTOMER_UPDATE,
        {"i": {"customerId": cid, "city": "After", "newCustomerId": new_id}},
        key="read",
    )
    assert_forbidden(r, "customerUpdate")
    stored = (await api.data(CUSTOMER_GET, {"c": cid}))["customer"]
    assert stored["city"] == "Before"
    assert stored["changedAt"] == customer["changedAt"]
    assert (await api.data(CUSTOMER_GET, {"c": new_id}))["customer"] is None


async def test_read_key_cannot_create_customer_user(api: Api) -> None:
    customer = await create_customer(api)
    login = unique("u")
    r = await api.gql(
        USER_CREATE,
        {
            "i": {
                "login": login,
                "firstName": "F",
                "lastName": "L",
                "email": f"{login}@acme.test",
                "customerId": customer["customerId"],
            }
        },
        key="read",
    )
    assert_forbidden(r, "customerUserCreate")
    assert "generatedPassword" not in json.dumps(r.body)
    assert (await api.data(USER_GET, {"l": login}))["customerUser"] is None


async def test_read_key_cannot_update_customer_user(api: Api) -> None:
    customer = await create_customer(api)
    user = await create_user(api, customer["customerId"])
    new_login = unique("u")
    r = await api.gql(
        USER_UPDATE,
        {"i": {"login": user["login"], "city": "After", "newLogin": new_login}},
        key="read",
    )
    assert_forbidden(r, "customerUserUpdate")
    assert (await api.data(USER_GET, {"l": user["login"]}))["customerUser"] == user
    assert (await api.data(USER_GET, {"l": new_login}))["customerUser"] is None


async def stored_password_hash(api: Api, login: str) -> str | None:
    async with api.storage.engine.connect() as conn:
        query = sa.select(customer_user.c.pw).where(customer_user.c.login == login)
        return (await conn.execute(query)).scalar_one()  # type: ignore[no-any-return]


async def test_read_key_cannot_set_password(api: Api) -> None:
    customer = await create_customer(api)
    user = await create_user(api, customer["customerId"])
    before = await stored_password_hash(api, user["login"])
    assert before
    for password in (None, "a brand new password"):
        r = await api.gql(
            USER_SET_PASSWORD, {"i": {"login": user["login"], "password": password}}, key="read"
        )
        assert_forbidden(r, "customerUserSetPassword")
        assert "generatedPassword" not in json.dumps(r.body)
    assert await stored_password_hash(api, user["login"]) == before
    assert (await api.data(USER_GET, {"l": user["login"]}))["customerUser"] == user


async def test_read_key_with_several_mutations_in_one_request(api: Api) -> None:
    a, b = unique("C"), unique("C")
    r = await api.gql(
        "mutation { a: customerCreate(input: {customerId: "
        f'"{a}", name: "{a}"}}) {{ customer {{ customerId }} }} '
        f'b: customerCreate(input: {{customerId: "{b}", name: "{b}"}}) '
        "{ customer { customerId } } }",
        key="read",
    )
    assert_clean(r)
    # Mutations run in order; the first refusal nulls the (non-null) root and stops the rest.
    assert r.error_codes
    assert set(r.error_codes) == {"FORBIDDEN"}
    assert r.body.get("data") is None
    for cid in (a, b):
        assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_admin_key_can_mutate(api: Api) -> None:
    customer = await create_customer(api)
    r = await api.gql(CUSTOMER_UPDATE, {"i": {"customerId": customer["customerId"], "city": "X"}})
    assert r.data["customerUpdate"]["userErrors"] == []


# --- anonymous access (demo mode) ------------------------------------------------------------


async def test_anonymous_acts_as_admin_when_allowed(make_api: MakeApi) -> None:
    demo = await make_api(auth={"allow_anonymous": True})
    demo.client.base_url = httpx.URL("http://localhost")  # demo mode answers loopback only
    customer = await create_customer(demo, key=None)
    assert customer["createdBy"] == "anonymous"
    assert customer["changedBy"] == "anonymous"
    user = await create_user(demo, customer["customerId"], key=None)
    assert (user["createdBy"], user["changedBy"]) == ("anonymous", "anonymous")
    r = await demo.gql(LISTING, key=None)
    assert customer["customerId"] in {n["customerId"] for n in r.data["customers"]["nodes"]}

    # A key that is presented is still checked.
    for header in ("Bearer rst_wrong", "Basic xyz", "Bearer "):
        assert_unauthenticated(await demo.gql(LISTING, key=header))
    secret, name = await new_key(demo, Scope.ADMIN)
    await demo.storage.api_keys.revoke(name)
    assert_unauthenticated(await demo.gql(LISTING, key=bearer(secret)))

    # A read key stays read-only: presenting it does not fall back to anonymous admin.
    cid = unique("C")
    r = await demo.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": cid}}, key="read")
    assert_forbidden(r, "customerCreate")

    # An admin key is named, not anonymous.
    secret, name = await new_key(demo, Scope.ADMIN)
    r = await demo.gql(
        CUSTOMER_UPDATE,
        {"i": {"customerId": customer["customerId"], "city": "X"}},
        key=bearer(secret),
    )
    updated = r.data["customerUpdate"]["customer"]
    assert (updated["createdBy"], updated["changedBy"]) == ("anonymous", name)


# --- audit: create_by / change_by ------------------------------------------------------------


async def test_created_by_and_changed_by_name_the_keys(api: Api) -> None:
    first, first_name = await new_key(api, Scope.ADMIN, "creator-")
    second, second_name = await new_key(api, Scope.ADMIN, "changer-")

    customer = await create_customer(api, key=bearer(first))
    assert (customer["createdBy"], customer["changedBy"]) == (first_name, first_name)
    r = await api.gql(
        CUSTOMER_UPDATE,
        {"i": {"customerId": customer["customerId"], "city": "X"}},
        key=bearer(second),
    )
    updated = r.data["customerUpdate"]["customer"]
    assert (updated["createdBy"], updated["changedBy"]) == (first_name, second_name)
    stored = (await api.data(CUSTOMER_GET, {"c": customer["customerId"]}))["customer"]
    assert (stored["createdBy"], stored["changedBy"]) == (first_name, second_name)

    user = await create_user(api, customer["customerId"], key=bearer(first))
    assert (user["createdBy"], user["changedBy"]) == (first_name, first_name)
    r = await api.gql(USER_UPDATE, {"i": {"login": user["login"], "city": "Y"}}, key=bearer(second))
    updated_user = r.data["customerUserUpdate"]["customerUser"]
    assert (updated_user["createdBy"], updated_user["changedBy"]) == (first_name, second_name)

    # A revoked key's name still labels what it wrote.
    await api.storage.api_keys.revoke(first_name)
    stored = (await api.data(CUSTOMER_GET, {"c": customer["customerId"]}))["customer"]
    assert (stored["createdBy"], stored["changedBy"]) == (first_name, second_name)


async def test_set_password_records_the_changer(api: Api) -> None:
    customer = await create_customer(api)
    user = await create_user(api, customer["customerId"])
    secret, name = await new_key(api, Scope.ADMIN, "pw-")
    r = await api.gql(USER_SET_PASSWORD, {"i": {"login": user["login"]}}, key=bearer(secret))
    assert r.data["customerUserSetPassword"]["userErrors"] == []
    stored = (await api.data(USER_GET, {"l": user["login"]}))["customerUser"]
    assert stored["changedBy"] == name
    assert stored["createdBy"] == user["createdBy"]


async def test_rows_written_by_someone_else_show_their_id(api: Api) -> None:
    cid = unique("C")
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.insert(customer_company).values(
                customer_id=cid,
                name=f"N {cid}",
                valid_id=1,
                create_time=sa.func.current_timestamp(),
                create_by=987654,
                change_time=sa.func.current_timestamp(),
                change_by=987654,
            )
        )
    stored = (await api.data(CUSTOMER_GET, {"c": cid}))["customer"]
    assert (stored["createdBy"], stored["changedBy"]) == ("#987654", "#987654")


# --- limits -------------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "{ customers { nodes { " + "f { " * depth + "x" + " }" * depth + " } } }"


async def baseline_statements(api: Api) -> int:
    """Statements of a request that touches no data (the key lookup only)."""
    return (await api.gql("{ __typename }")).statements


async def test_query_deeper_than_the_limit_is_rejected(api: Api) -> None:
    r = await api.gql(nested(20))
    assert_clean(r)
    assert r.errors
    assert any("maximum operation depth of 12" in e["message"] for e in r.errors), r.errors
    assert r.body.get("data") is None
    assert r.statements == await baseline_statements(api)  # nothing was executed


async def test_depth_limit_with_real_fields(make_api: MakeApi) -> None:
    shallow = await make_api(server={"max_query_depth": 3})
    await create_customer(shallow)
    ok = await shallow.gql("{ customerUsers { edges { node { login } } } }")
    assert ok.data["customerUsers"]["edges"] == []
    r = await shallow.gql("{ customerUsers { edges { node { customer { name } } } } }")
    assert_clean(r)
    assert any("maximum operation depth of 3" in e["message"] for e in r.errors), r.errors
    assert r.body.get("data") is None
    # Fragments do not hide depth.
    r = await shallow.gql(
        "query { customerUsers { ...E } } fragment E on CustomerUserConnection "
        "{ edges { node { customer { name } } } }"
    )
    assert any("maximum operation depth" in e["message"] for e in r.errors), r.errors
    assert r.body.get("data") is None


def aliased(count: int) -> str:
    fields = " ".join(f"a{i}: customers(first: 1) {{ totalCount }}" for i in range(count))
    return "{ " + fields + " }"


async def test_more_than_30_aliases_is_rejected(api: Api) -> None:
    ok = await api.gql(aliased(30))
    assert len(ok.data) == 30
    r = await api.gql(aliased(31))
    assert_clean(r)
    assert r.errors
    assert any("alias" in e["message"].lower() for e in r.errors), r.errors
    assert r.body.get("data") is None
    assert r.statements == await baseline_statements(api)
    r = await api.gql("{ " + " ".join(f"t{i}: __typename" for i in range(100)) + " }")
    assert r.errors
    assert r.body.get("data") is None


async def test_too_many_tokens_is_rejected(api: Api) -> None:
    query = "{ customers(first: 1) { nodes { " + "customerId " * 6000 + "} } }"
    r = await api.gql(query)
    assert_clean(r)
    assert any("5000 tokens" in e["message"] for e in r.errors), r.errors
    assert r.body.get("data") is None
    assert r.statements == await baseline_statements(api)


async def test_a_rejected_query_stays_rejected_when_sent_again(api: Api) -> None:
    """Parsed and validated documents are cached by their text: the cache must keep the
    verdict, not just the document."""
    await baseline_statements(api)  # the key's first request also looks the key up
    baseline = await baseline_statements(api)
    for _ in range(3):
        r = await api.gql(nested(13))
        assert any("maximum operation depth of 12" in e["message"] for e in r.errors), r.errors
        assert r.body.get("data") is None
        assert r.statements == baseline


async def test_the_same_text_with_other_variables_is_executed_anew(api: Api) -> None:
    query = "query($id: String!) { customer(customerId: $id) { customerId } }"
    first = (await create_customer(api))["customerId"]
    second = (await create_customer(api))["customerId"]
    for cid in (first, second, first):
        assert (await api.data(query, {"id": cid}))["customer"] == {"customerId": cid}


async def test_a_query_too_long_to_cache_still_works_and_is_checked(api: Api) -> None:
    padding = " " * 30_000  # whitespace is not a token: the token limit is not what stops it
    cid = (await create_customer(api))["customerId"]
    ok = "{" + padding + f'customer(customerId: "{cid}") {{ customerId }} }}'
    for _ in range(2):
        assert (await api.data(ok))["customer"] == {"customerId": cid}
    deep = nested(13).replace("{ ", "{ " + padding, 1)
    for _ in range(2):
        r = await api.gql(deep)
        assert any("maximum operation depth of 12" in e["message"] for e in r.errors), r.errors


async def test_introspection_can_be_switched_off(make_api: MakeApi) -> None:
    closed = await make_api(server={"introspection": False})
    for _ in range(2):
        r = await closed.gql("{ __schema { queryType { name } } }")
        assert r.errors, r.body
        assert "introspection" in r.errors[0]["message"].lower(), r.errors
        assert r.body.get("data") is None
    assert (await closed.data("{ customers(first: 1) { totalCount } }"))["customers"] == {
        "totalCount": 0
    }


async def test_body_larger_than_the_limit_is_413(make_api: MakeApi) -> None:
    small = await make_api(server={"max_body_bytes": 2048, "statement_count_header": True})
    cid = unique("C")
    ok = await small.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": "n" * 100}})
    assert ok.data["customerCreate"]["userErrors"] == []

    too_big = {"customerId": unique("C"), "name": "n" * 100, "comment": "x" * 3000}
    r = await small.gql(CUSTOMER_CREATE, {"i": too_big})
    assert r.status == 413, r.body
    assert r.error_codes == ["PAYLOAD_TOO_LARGE"]
    assert r.body["data"] is None
    assert_clean(r)
    assert (await small.data(CUSTOMER_GET, {"c": too_big["customerId"]}))["customer"] is None

    # Without a key, too: the size is checked before anything else.
    assert (await small.gql(CUSTOMER_CREATE, {"i": too_big}, key=None)).status in (401, 413)


async def test_streamed_body_larger_than_the_limit_is_413(make_api: MakeApi) -> None:
    small = await make_api(server={"max_body_bytes": 2048})
    cid = unique("C")
    body = json.dumps(
        {
            "query": CUSTOMER_CREATE,
            "variables": {"i": {"customerId": cid, "name": "n", "comment": "x" * 5000}},
        }
    ).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 512):
            yield body[start : start + 512]

    response = await small.client.post(
        "/graphql",
        content=chunks(),
        headers={"Authorization": bearer(small.admin_key), "content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert_clean_text(response.text)
    assert (await small.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_lying_content_length_is_413(api: Api, raw: httpx.AsyncClient) -> None:
    response = await raw.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={
            "Authorization": bearer(api.admin_key),
            "content-type": "application/json",
            "content-length": "99999999999",
        },
    )
    assert response.status_code == 413
    assert_clean_text(response.text)


async def post_raw(
    raw: httpx.AsyncClient, api: Api, body: bytes, content_type: str = "application/json"
) -> httpx.Response:
    return await raw.post(
        "/graphql",
        content=body,
        headers={"Authorization": bearer(api.admin_key), "content-type": content_type},
    )


async def test_batched_request_is_an_error(api: Api, raw: httpx.AsyncClient) -> None:
    cid = unique("C")
    batch = [
        {"query": "{ __typename }"},
        {"query": CUSTOMER_CREATE, "variables": {"i": {"customerId": cid, "name": cid}}},
    ]
    for body in (batch, [], [{"query": "{ __typename }"}]):
        response = await post_raw(raw, api, json.dumps(body).encode())
        assert 400 <= response.status_code < 500, (body, response.text)
        assert_clean_text(response.text)
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"\xff\xfe",
        b'{"query": "{ __typename }"',
        b"{}",
        b'{"query": 5}',
        b'{"query": "{ __typename }", "variables": [1]}',
        b'{"query": "{ __typename }", "variables": "x"}',
        b'{"query": "{ __typename }", "operationName": 5}',
        b'{"query": "{ __typename }", "extensions": 5}',
    ],
)
async def test_malformed_body_is_4xx(api: Api, raw: httpx.AsyncClient, body: bytes) -> None:
    response = await post_raw(raw, api, body)
    assert 400 <= response.status_code < 500, response.text
    assert_clean_text(response.text)


@pytest.mark.parametrize("body", [b"\x80", b'{"query": "\xff"}', b"\xff\xfe\x00"])
async def test_body_that_is_not_utf8_is_4xx(api: Api, raw: httpx.AsyncClient, body: bytes) -> None:
    response = await post_raw(raw, api, body)
    assert_clean_text(response.text)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("body", [b'"just a string"', b"42", b"null", b"true"])
async def test_non_object_json_body_is_4xx(api: Api, raw: httpx.AsyncClient, body: bytes) -> None:
    response = await post_raw(raw, api, body)
    assert_clean_text(response.text)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
async def test_unsupported_content_type_is_4xx(
    api: Api, raw: httpx.AsyncClient, content_type: str
) -> None:
    response = await post_raw(raw, api, b"query={__typename}", content_type)
    assert 400 <= response.status_code < 500
    assert_clean_text(response.text)


async def test_queries_via_get_are_refused(api: Api, raw: httpx.AsyncClient) -> None:
    cid = unique("C")
    mutation = (
        f'mutation {{ customerCreate(input: {{customerId: "{cid}", name: "{cid}"}}) '
        "{ customer { customerId } } }"
    )
    for query in ("{ __typename }", mutation):
        response = await raw.get(
            "/graphql", params={"query": query}, headers={"Authorization": bearer(api.admin_key)}
        )
        assert 400 <= response.status_code < 500
        assert_clean_text(response.text)
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_graphiql_page_needs_no_key(raw: httpx.AsyncClient) -> None:
    response = await raw.get("/graphql", headers={"Accept": "text/html"})
    assert_clean_text(response.text)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphiql_request_does_not_bypass_auth_for_queries(
    api: Api, raw: httpx.AsyncClient
) -> None:
    response = await raw.get("/graphql", params={"query": LISTING}, headers={"Accept": "text/html"})
    assert "customerId" not in response.text
    assert_clean_text(response.text)
    response = await raw.post("/graphql", json={"query": LISTING}, headers={"Accept": "text/html"})
    assert response.status_code == 401
    assert_clean_text(response.text)


async def test_healthz(raw: httpx.AsyncClient) -> None:
    response = await raw.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_unknown_path_is_404(raw: httpx.AsyncClient) -> None:
    response = await raw.get("/nope")
    assert response.status_code == 404
    assert_clean_text(response.text)


# --- error masking -------------------------------------------------------------------------------


@pytest.fixture
async def broken(make_api: MakeApi) -> Api:
    """An app whose customer table has vanished: every customer query fails unexpectedly."""
    fresh = await make_api()
    async with fresh.storage.engine.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE customer_company RENAME TO customer_company_gone"))
    return fresh


async def test_unexpected_errors_are_masked(broken: Api) -> None:
    for query, variables in (
        (LISTING, {}),
        (CUSTOMER_GET, {"c": "x"}),
        (CUSTOMER_CREATE, {"i": {"customerId": "x", "name": "y"}}),
    ):
        r = await broken.gql(query, variables)
        assert r.status == 200
        assert r.errors, r.body
        assert [e["message"] for e in r.errors] == ["Unexpected error."]
        text = json.dumps(r.body).lower()
        assert_clean_text(text)
        for leak in ("customer_company", "select", "insert", "sqlalchemy", "asyncpg", "sqlite"):
            assert leak not in text, (leak, text)


async def test_masked_errors_carry_internal_server_error_code(broken: Api) -> None:
    r = await broken.gql(LISTING)
    assert r.error_codes == ["INTERNAL_SERVER_ERROR"], r.body


async def test_typed_errors_are_not_masked(api: Api) -> None:
    r = await api.gql('{ customers(search: "") { totalCount } }')
    assert r.error_codes == ["BAD_USER_INPUT"]
    assert r.errors[0]["message"] != "Unexpected error."
    r = await api.gql("{ customers(first: 100000) { totalCount } }")
    assert r.error_codes == ["BAD_USER_INPUT"]
    assert_clean(r)


async def test_validation_errors_do_not_leak_internals(api: Api) -> None:
    for query in (
        "{ nope }",
        "{ customers { nodes { password } } }",
        "{ customers(",
        "mutation { customerCreate(input: {customerId: 5}) { customer { id } } }",
        "query($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } } }",
    ):
        r = await api.gql(query)
        assert r.errors, query
        assert r.status < 500
        assert_clean(r)
