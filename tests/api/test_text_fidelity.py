"""Text means the same on every database: case, accents, 4-byte characters, column lengths.

PostgreSQL is the reference (``lower()`` comparisons, exact text otherwise). MariaDB compares
by a column's collation: OTOBO's own (``utf8mb4_unicode_ci``) ignores case *and* accents, and
its ``utf8`` (3-byte) character set cannot store emoji or the rarer CJK characters. On the
tables ``roster db upgrade`` creates, these tests hold on all three databases alike:

- ``Müller`` and ``MÜLLER`` are one login (one group, service, customer ID, e-mail address),
  ``Muller`` is another;
- emoji and CJK (4-byte UTF-8 included) round-trip in every text field, up to the column length;
- a value at a column's length is stored, one character more is ``TOO_LONG``, never a database
  error.

The last tests show what happens on a table with OTOBO's own MariaDB collation, where the
database itself cannot tell ``Müller`` from ``Muller``: a typed error, nothing written.
"""

from __future__ import annotations

from typing import Any

import pytest

from datasources.db.customer_users import SchemaMismatch
from datasources.storage import open_storage
from tests.conftest import Api, Databases, MakeApi, base_config, run_sql, unique
from tests.factories import (
    CUSTOMER_CREATE,
    GROUP_CREATE,
    SERVICE_CREATE,
    USER_CREATE,
    new_customer,
    user_input,
)

EMOJI = "😀"  # U+1F600: 4 bytes in UTF-8
HAN = "𠮷"  # U+20BB7, CJK Extension B: 4 bytes in UTF-8
WIDE = "山田"  # BMP CJK: 3 bytes each

USER_FIELDS = (
    "login title firstName lastName email customerId phone fax mobile street zip city country "
    "comment"
)
USER_GET = f"query($l: String!) {{ customerUser(login: $l) {{ {USER_FIELDS} }} }}"
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    "customerUser { login } userErrors { field code } } }"
)
CUSTOMER_FIELDS = "customerId name street zip city country url comment"
CUSTOMER_UPDATE = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    "customer { customerId } userErrors { field code } } }"
)
CUSTOMER_GET = f"query($c: String!) {{ customer(customerId: $c) {{ {CUSTOMER_FIELDS} }} }}"
GROUP_GET = "query($n: String!) { group(name: $n) { name comment } }"
SERVICE_GET = "query($n: String!) { service(name: $n) { name comment } }"


def problems(api_payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in api_payload["userErrors"]]


async def create(api: Api, document: str, mutation: str, values: dict[str, Any]) -> dict[str, Any]:
    r = await api.gql(document, {"i": values})
    assert r.status == 200, r.body
    assert not r.errors, r.body  # never a database error
    payload: dict[str, Any] = r.data[mutation]
    return payload


def fill(length: int, *, start: str = "") -> str:
    """``length`` characters, most of them 4 bytes long in UTF-8, beginning with ``start``."""
    pattern = EMOJI + HAN + WIDE
    body = (pattern * length)[: length - len(start)]
    return start + body


# ---- case and accents ------------------------------------------------------------------------


async def test_logins_differ_by_accent_not_by_case(api: Api) -> None:
    customer = await new_customer(api)
    p = unique("x")
    first = await create(api, USER_CREATE, "customerUserCreate", user_input(customer, f"{p}Müller"))
    assert problems(first) == []
    upper = await create(api, USER_CREATE, "customerUserCreate", user_input(customer, f"{p}MÜLLER"))
    assert problems(upper) == [("LOGIN_TAKEN", ["input", "login"])]
    plain = await create(api, USER_CREATE, "customerUserCreate", user_input(customer, f"{p}Muller"))
    assert problems(plain) == []
    # Lookups: case-insensitive, accents count.
    for typed, stored in (
        (f"{p}müller", f"{p}Müller"),
        (f"{p}MÜLLER", f"{p}Müller"),
        (f"{p}MULLER", f"{p}Muller"),
    ):
        found = (await api.data(USER_GET, {"l": typed}))["customerUser"]
        assert found is not None, typed
        assert found["login"] == stored, typed
    assert (await api.data(USER_GET, {"l": f"{p}Mueller"}))["customerUser"] is None
    # Renames: into another's case is taken, into one's own case is fine.
    r = await api.gql(USER_UPDATE, {"i": {"login": f"{p}Muller", "newLogin": f"{p}müller"}})
    assert problems(r.data["customerUserUpdate"]) == [("LOGIN_TAKEN", ["input", "newLogin"])]
    r = await api.gql(USER_UPDATE, {"i": {"login": f"{p}Muller", "newLogin": f"{p}MULLER"}})
    assert problems(r.data["customerUserUpdate"]) == []
    assert (await api.data(USER_GET, {"l": f"{p}muller"}))["customerUser"]["login"] == f"{p}MULLER"


async def test_email_uniqueness_ignores_case_not_accents(api: Api) -> None:
    customer = await new_customer(api)
    p = unique("m")
    values = user_input(customer, email=f"{p}@müller.test")
    assert problems(await create(api, USER_CREATE, "customerUserCreate", values)) == []
    values = user_input(customer, email=f"{p.upper()}@MÜLLER.test")
    payload = await create(api, USER_CREATE, "customerUserCreate", values)
    assert problems(payload) == [("EMAIL_TAKEN", ["input", "email"])]
    values = user_input(customer, email=f"{p}@muller.test")
    assert problems(await create(api, USER_CREATE, "customerUserCreate", values)) == []


async def test_customer_ids_differ_by_accent_not_by_case(api: Api) -> None:
    p = unique("c")
    first = await create(
        api, CUSTOMER_CREATE, "customerCreate", {"customerId": f"{p}Müller", "name": f"{p} 1"}
    )
    assert problems(first) == []
    upper = await create(
        api, CUSTOMER_CREATE, "customerCreate", {"customerId": f"{p}MÜLLER", "name": f"{p} 2"}
    )
    assert [code for code, _field in problems(upper)] == ["CUSTOMER_ID_TAKEN"]
    plain = await create(
        api, CUSTOMER_CREATE, "customerCreate", {"customerId": f"{p}Muller", "name": f"{p} 3"}
    )
    assert problems(plain) == []
    found = (await api.data(CUSTOMER_GET, {"c": f"{p}müller"}))["customer"]
    assert found["customerId"] == f"{p}Müller"
    found = (await api.data(CUSTOMER_GET, {"c": f"{p}MULLER"}))["customer"]
    assert found["customerId"] == f"{p}Muller"


@pytest.mark.parametrize(
    ("document", "mutation", "code"),
    [(GROUP_CREATE, "groupCreate", "NAME_TAKEN"), (SERVICE_CREATE, "serviceCreate", "NAME_TAKEN")],
    ids=["group", "service"],
)
async def test_names_differ_by_accent_not_by_case(
    api: Api, document: str, mutation: str, code: str
) -> None:
    p = unique("n")
    assert problems(await create(api, document, mutation, {"name": f"{p} Müller"})) == []
    upper = await create(api, document, mutation, {"name": f"{p} MÜLLER"})
    assert problems(upper) == [(code, ["input", "name"])]
    assert problems(await create(api, document, mutation, {"name": f"{p} Muller"})) == []


async def test_group_and_service_lookups_by_name(api: Api) -> None:
    p = unique("n")
    for document, mutation in ((GROUP_CREATE, "groupCreate"), (SERVICE_CREATE, "serviceCreate")):
        assert problems(await create(api, document, mutation, {"name": f"{p} Müller"})) == []
    # group(name:) is exact, as OTOBO's GroupLookup; service(name:) ignores case.
    assert (await api.data(GROUP_GET, {"n": f"{p} Müller"}))["group"]["name"] == f"{p} Müller"
    assert (await api.data(GROUP_GET, {"n": f"{p} MÜLLER"}))["group"] is None
    assert (await api.data(GROUP_GET, {"n": f"{p} Muller"}))["group"] is None
    found = (await api.data(SERVICE_GET, {"n": f"{p} MÜLLER"}))["service"]
    assert found["name"] == f"{p} Müller"
    assert (await api.data(SERVICE_GET, {"n": f"{p} Muller"}))["service"] is None


# ---- 4-byte characters and column lengths ------------------------------------------------------

USER_LIMITS = {
    "login": 100,  # OTOBO's relation tables hold 100 (customer_user.login is 191)
    "title": 50,
    "firstName": 100,
    "lastName": 100,
    "phone": 150,
    "fax": 150,
    "mobile": 150,
    "street": 150,
    "zip": 200,
    "city": 200,
    "country": 200,
    "comment": 250,
}
CUSTOMER_LIMITS = {
    "name": 191,
    "street": 200,
    "zip": 200,
    "city": 200,
    "country": 200,
    "url": 200,
    "comment": 250,
}


def email_of_length(length: int, p: str) -> str:
    """A valid address of exactly ``length`` characters, with a CJK (4-byte) domain."""
    domain = f"{HAN * 40}.{HAN * 40}.test"
    local = p + "x" * (length - len(p) - 1 - len(domain))
    address = f"{local}@{domain}"
    assert len(address) == length
    return address


async def test_a_customer_user_at_every_column_length_round_trips(api: Api) -> None:
    p = unique("f")
    customer_id = fill(150, start=p)
    assert (
        problems(
            await create(
                api, CUSTOMER_CREATE, "customerCreate", {"customerId": customer_id, "name": p}
            )
        )
        == []
    )
    values = {field: fill(n, start=p) for field, n in USER_LIMITS.items()}
    values |= {"email": email_of_length(150, p), "customerId": customer_id}
    payload = await create(api, USER_CREATE, "customerUserCreate", values)
    assert problems(payload) == []
    stored = (await api.data(USER_GET, {"l": values["login"]}))["customerUser"]
    assert stored == values
    # One character more in any field: TOO_LONG there, nothing written.
    for field, n in [*USER_LIMITS.items(), ("email", 150), ("customerId", 150)]:
        longer = {**values, "login": fill(100, start=unique("g"))}
        longer[field] = (
            email_of_length(n + 1, p) if field == "email" else fill(n + 1, start=unique("h"))
        )
        payload = await create(api, USER_CREATE, "customerUserCreate", longer)
        assert problems(payload) == [("TOO_LONG", ["input", field])], field
        if field != "login":
            assert (await api.data(USER_GET, {"l": longer["login"]}))["customerUser"] is None


async def test_an_update_at_and_past_the_column_length(api: Api) -> None:
    customer = await new_customer(api)
    login = unique("u")
    created = await create(api, USER_CREATE, "customerUserCreate", user_input(customer, login))
    assert problems(created) == []
    for field, n in USER_LIMITS.items():
        if field == "login":
            continue
        r = await api.gql(USER_UPDATE, {"i": {"login": login, field: fill(n)}})
        assert problems(r.data["customerUserUpdate"]) == [], field
        r = await api.gql(USER_UPDATE, {"i": {"login": login, field: fill(n + 1)}})
        assert problems(r.data["customerUserUpdate"]) == [("TOO_LONG", ["input", field])], field
        stored = (await api.data(USER_GET, {"l": login}))["customerUser"]
        assert stored[field] == fill(n), field
    new_login = fill(100, start=unique("r"))
    r = await api.gql(USER_UPDATE, {"i": {"login": login, "newLogin": new_login}})
    assert problems(r.data["customerUserUpdate"]) == []
    r = await api.gql(USER_UPDATE, {"i": {"login": new_login, "newLogin": new_login + EMOJI}})
    assert problems(r.data["customerUserUpdate"]) == [("TOO_LONG", ["input", "newLogin"])]


async def test_a_customer_at_every_column_length_round_trips(api: Api) -> None:
    p = unique("k")
    values = {field: fill(n, start=p) for field, n in CUSTOMER_LIMITS.items()}
    values["customerId"] = fill(150, start=p)
    assert problems(await create(api, CUSTOMER_CREATE, "customerCreate", values)) == []
    assert (await api.data(CUSTOMER_GET, {"c": values["customerId"]}))["customer"] == values
    for field, n in [*CUSTOMER_LIMITS.items(), ("customerId", 150)]:
        q = unique("k")
        longer = {**values, "customerId": fill(150, start=q), "name": fill(191, start=q)}
        longer[field] = fill(n + 1, start=q)
        payload = await create(api, CUSTOMER_CREATE, "customerCreate", longer)
        assert problems(payload) == [("TOO_LONG", ["input", field])], field


async def test_a_customer_update_at_and_past_the_column_length(api: Api) -> None:
    p = unique("k")
    customer_id = fill(150, start=p)
    values = {"customerId": customer_id, "name": p}
    assert problems(await create(api, CUSTOMER_CREATE, "customerCreate", values)) == []
    for field, n in CUSTOMER_LIMITS.items():
        at = fill(n, start=p) if field == "name" else fill(n)
        r = await api.gql(CUSTOMER_UPDATE, {"i": {"customerId": customer_id, field: at}})
        assert problems(r.data["customerUpdate"]) == [], field
        past = fill(n + 1, start=unique("k"))
        r = await api.gql(CUSTOMER_UPDATE, {"i": {"customerId": customer_id, field: past}})
        assert problems(r.data["customerUpdate"]) == [("TOO_LONG", ["input", field])], field
        stored = (await api.data(CUSTOMER_GET, {"c": customer_id}))["customer"]
        assert stored[field] == at, field


async def test_a_customer_id_rename_at_and_past_the_column_length(api: Api) -> None:
    """``newCustomerId`` counts characters (4-byte ones as one), and the customer's users
    follow a rename into 150 of them."""
    old = unique("k")
    assert (
        problems(
            await create(api, CUSTOMER_CREATE, "customerCreate", {"customerId": old, "name": old})
        )
        == []
    )
    login = unique("u")
    created = await create(api, USER_CREATE, "customerUserCreate", user_input(old, login))
    assert problems(created) == []
    new_id = fill(150, start=unique("r"))
    r = await api.gql(CUSTOMER_UPDATE, {"i": {"customerId": old, "newCustomerId": new_id}})
    assert problems(r.data["customerUpdate"]) == []
    assert (await api.data(CUSTOMER_GET, {"c": new_id}))["customer"]["customerId"] == new_id
    assert (await api.data(USER_GET, {"l": login}))["customerUser"]["customerId"] == new_id
    past = fill(151, start=unique("r"))
    r = await api.gql(CUSTOMER_UPDATE, {"i": {"customerId": new_id, "newCustomerId": past}})
    assert problems(r.data["customerUpdate"]) == [("TOO_LONG", ["input", "newCustomerId"])]
    assert (await api.data(CUSTOMER_GET, {"c": past}))["customer"] is None
    assert (await api.data(USER_GET, {"l": login}))["customerUser"]["customerId"] == new_id


@pytest.mark.parametrize(
    ("document", "mutation", "get"),
    [(GROUP_CREATE, "groupCreate", GROUP_GET), (SERVICE_CREATE, "serviceCreate", SERVICE_GET)],
    ids=["group", "service"],
)
async def test_a_group_or_service_update_at_and_past_its_column_lengths(
    api: Api, document: str, mutation: str, get: str
) -> None:
    kind = mutation.removesuffix("Create")
    created = await create(api, document, mutation, {"name": unique("q")})
    assert problems(created) == []
    key = {f"{kind}Id": created[kind][f"{kind}Id"]}
    update = (
        f"mutation($i: {kind.title()}UpdateInput!) {{ {kind}Update(input: $i) {{ "
        "userErrors { field code } } }"
    )
    values = {"name": fill(191, start=unique("q")), "comment": fill(250)}
    r = await api.gql(update, {"i": {**key, **values}})
    assert problems(r.data[f"{kind}Update"]) == []
    assert (await api.data(get, {"n": values["name"]}))[kind] == values
    for field, n in (("name", 191), ("comment", 250)):
        r = await api.gql(update, {"i": {**key, field: fill(n + 1, start=unique("q"))}})
        assert problems(r.data[f"{kind}Update"]) == [("TOO_LONG", ["input", field])], field
        assert (await api.data(get, {"n": values["name"]}))[kind] == values, field


@pytest.mark.parametrize(
    ("document", "mutation", "get"),
    [(GROUP_CREATE, "groupCreate", GROUP_GET), (SERVICE_CREATE, "serviceCreate", SERVICE_GET)],
    ids=["group", "service"],
)
async def test_a_group_or_service_at_its_column_lengths_round_trips(
    api: Api, document: str, mutation: str, get: str
) -> None:
    p = unique("q")
    values = {"name": fill(191, start=p), "comment": fill(250, start=p)}
    assert problems(await create(api, document, mutation, values)) == []
    kind = mutation.removesuffix("Create")
    assert (await api.data(get, {"n": values["name"]}))[kind] == values
    for field, n in (("name", 191), ("comment", 250)):
        longer = {"name": fill(191, start=unique("q")), "comment": "c"}
        longer[field] = fill(n + 1, start=unique("q"))
        payload = await create(api, document, mutation, longer)
        assert problems(payload) == [("TOO_LONG", ["input", field])], field


async def test_a_service_hierarchy_of_4_byte_names_moves_whole(api: Api) -> None:
    parent = await create(api, SERVICE_CREATE, "serviceCreate", {"name": unique(EMOJI)})
    child = await create(
        api,
        SERVICE_CREATE,
        "serviceCreate",
        {"name": f"{HAN}{WIDE}", "parentId": parent["service"]["serviceId"]},
    )
    assert child["service"]["name"] == f"{parent['service']['name']}::{HAN}{WIDE}"
    renamed = unique(HAN)
    r = await api.gql(
        "mutation($i: ServiceUpdateInput!) { serviceUpdate(input: $i) { userErrors { code } } }",
        {"i": {"serviceId": parent["service"]["serviceId"], "name": renamed}},
    )
    assert r.data["serviceUpdate"]["userErrors"] == []
    moved = (await api.data(SERVICE_GET, {"n": f"{renamed}::{HAN}{WIDE}"}))["service"]
    assert moved is not None


# ---- a table with OTOBO's own MariaDB collation ----------------------------------------------

OTOBO_COLLATION = "utf8mb4_unicode_ci"
"""OTOBO's installer: ``CREATE DATABASE … DEFAULT COLLATE utf8mb4_unicode_ci``."""


@pytest.fixture
async def otobo_collated(api: Api, make_api: MakeApi) -> Api:
    """MariaDB only: an app whose tables compare text as an OTOBO-made database does."""
    if api.kind != "mariadb":
        pytest.skip("OTOBO's collation is MariaDB's (and MySQL's)")
    columns = [
        ("customer_user", "login VARCHAR(191) NOT NULL"),
        ("customer_company", "customer_id VARCHAR(150) NOT NULL"),
        ("customer_company", "name VARCHAR(191) NOT NULL"),
        ("groups_table", "name VARCHAR(191) NOT NULL"),  # OTOBO's lengths (schema_mysql.sql)
        ("service", "name VARCHAR(191) NOT NULL"),
    ]
    return await make_api(
        before_open=[
            f"ALTER TABLE {table} MODIFY {column} COLLATE {OTOBO_COLLATION}"
            for table, column in columns
        ]
    )


async def test_on_otobo_collation_an_accent_twin_is_a_typed_error(otobo_collated: Api) -> None:
    api = otobo_collated
    customer = await new_customer(api)
    p = unique("x")
    assert (
        problems(
            await create(api, USER_CREATE, "customerUserCreate", user_input(customer, f"{p}Müller"))
        )
        == []
    )
    # The database cannot store both: the login is taken, and nothing is written.
    twin = await create(api, USER_CREATE, "customerUserCreate", user_input(customer, f"{p}Muller"))
    assert problems(twin) == [("LOGIN_TAKEN", ["input", "login"])]
    assert (await api.data(USER_GET, {"l": f"{p}Muller"}))["customerUser"] is None
    # Lookups still mean what they mean on PostgreSQL.
    assert (await api.data(USER_GET, {"l": f"{p}MÜLLER"}))["customerUser"]["login"] == f"{p}Müller"
    # Groups, services and customers: typed errors too.
    for document, mutation in ((GROUP_CREATE, "groupCreate"), (SERVICE_CREATE, "serviceCreate")):
        assert problems(await create(api, document, mutation, {"name": f"{p} Müller"})) == []
        payload = await create(api, document, mutation, {"name": f"{p} Muller"})
        assert [code for code, _field in problems(payload)] == ["NAME_TAKEN"], mutation
    values = {"customerId": f"{p}Müller", "name": f"{p} Müller"}
    assert problems(await create(api, CUSTOMER_CREATE, "customerCreate", values)) == []
    for twin_values, expected in (
        ({"customerId": f"{p}Muller", "name": f"{p} other"}, ("CUSTOMER_ID_TAKEN", "customerId")),
        ({"customerId": f"{p}other", "name": f"{p} Muller"}, ("NAME_TAKEN", "name")),
    ):
        payload = await create(api, CUSTOMER_CREATE, "customerCreate", twin_values)
        assert problems(payload) == [(expected[0], ["input", expected[1]])], payload
        assert (await api.data(CUSTOMER_GET, {"c": twin_values["customerId"]}))["customer"] is None


async def test_a_case_sensitive_key_column_is_refused_at_start(
    api: Api, databases: Databases
) -> None:
    """Case-insensitive lookups on MariaDB ask the column's index with ``=`` first: on a column
    that compares case-sensitively they would miss ``Ann`` for ``ann``. Roster does not start
    on one, and prints the statement that fixes it."""
    if api.kind != "mariadb":
        pytest.skip("collations are MariaDB's (and MySQL's)")
    url = await databases.create("mariadb")
    await run_sql(
        url, ["ALTER TABLE customer_user MODIFY login VARCHAR(191) COLLATE utf8mb4_bin NOT NULL"]
    )
    with pytest.raises(SchemaMismatch) as refused:
        await open_storage(base_config(url))
    assert refused.value.fixes == [
        "ALTER TABLE customer_user MODIFY login varchar(191) CHARACTER SET utf8mb4 "
        "COLLATE utf8mb4_uca1400_nopad_as_ci NOT NULL;"
    ]
    await run_sql(url, [refused.value.fixes[0].rstrip(";")])
    storage = await open_storage(base_config(url))
    await storage.close()


def taken_message(subject: str, value: str, stored: str) -> str:
    return (
        f"{subject} {value!r} is taken: this database's collation ({OTOBO_COLLATION}) does not "
        f"tell {value!r} from the stored {stored!r} apart (it ignores case, accents, and treats "
        "characters outside the Basic Multilingual Plane such as emoji as equal)."
    )


def one_error(payload: dict[str, Any]) -> tuple[str, list[str], str]:
    [error] = payload["userErrors"]
    return error["code"], error["field"], error["message"]


RENAME_USER = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    "customerUser { login } userErrors { field code message } } }"
)
RENAME_GROUP = (
    "mutation($i: GroupUpdateInput!) { groupUpdate(input: $i) { "
    "group { name } userErrors { field code message } } }"
)
RENAME_SERVICE = (
    "mutation($i: ServiceUpdateInput!) { serviceUpdate(input: $i) { "
    "service { name } userErrors { field code message } } }"
)
UPDATE_CUSTOMER = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    "customer { customerId } userErrors { field code message } } }"
)


async def test_on_otobo_collation_an_emoji_twin_is_named_in_a_typed_error(
    otobo_collated: Api,
) -> None:
    # utf8mb4_unicode_ci counts every character outside the BMP as equal to every other:
    # "x😀" and "x🚀" are one value to its unique indexes, though not to Roster's lower().
    api = otobo_collated
    customer = await new_customer(api)
    p = unique("e")
    first, twin = f"{p}{EMOJI}", f"{p}🚀"

    # Logins: a create, and a rename of another user, onto the twin.
    created = await create(api, USER_CREATE, "customerUserCreate", user_input(customer, first))
    assert problems(created) == []
    payload = await create(api, USER_CREATE, "customerUserCreate", user_input(customer, twin))
    assert one_error(payload) == (
        "LOGIN_TAKEN",
        ["input", "login"],
        taken_message("Login", twin, first),
    )
    other = unique("o")
    assert (
        problems(await create(api, USER_CREATE, "customerUserCreate", user_input(customer, other)))
        == []
    )
    r = await api.gql(RENAME_USER, {"i": {"login": other, "newLogin": twin}})
    assert one_error(r.data["customerUserUpdate"]) == (
        "LOGIN_TAKEN",
        ["input", "newLogin"],
        taken_message("Login", twin, first),
    )
    assert (await api.data(USER_GET, {"l": twin}))["customerUser"] is None
    assert (await api.data(USER_GET, {"l": other}))["customerUser"]["login"] == other

    # Groups: "A group named … exists" would send the caller looking for a group of that name.
    assert problems(await create(api, GROUP_CREATE, "groupCreate", {"name": first})) == []
    payload = await create(api, GROUP_CREATE, "groupCreate", {"name": twin})
    assert one_error(payload) == (
        "NAME_TAKEN",
        ["input", "name"],
        taken_message("Group name", twin, first),
    )
    renamed = await create(api, GROUP_CREATE, "groupCreate", {"name": other})
    r = await api.gql(RENAME_GROUP, {"i": {"groupId": renamed["group"]["groupId"], "name": twin}})
    assert one_error(r.data["groupUpdate"]) == (
        "NAME_TAKEN",
        ["input", "name"],
        taken_message("Group name", twin, first),
    )
    assert (await api.data(GROUP_GET, {"n": twin}))["group"] is None

    # Services, created and renamed.
    assert problems(await create(api, SERVICE_CREATE, "serviceCreate", {"name": first})) == []
    payload = await create(api, SERVICE_CREATE, "serviceCreate", {"name": twin})
    assert one_error(payload) == (
        "NAME_TAKEN",
        ["input", "name"],
        taken_message("Service name", twin, first),
    )
    moved = await create(api, SERVICE_CREATE, "serviceCreate", {"name": other})
    variables = {"i": {"serviceId": moved["service"]["serviceId"], "name": twin}}
    r = await api.gql(RENAME_SERVICE, variables)
    assert one_error(r.data["serviceUpdate"]) == (
        "NAME_TAKEN",
        ["input", "name"],
        taken_message("Service name", twin, first),
    )
    assert (await api.data(SERVICE_GET, {"n": twin}))["service"] is None

    # Customers: the customer ID and the name each get their own code and field.
    values = {"customerId": first, "name": f"Company {first}"}
    assert problems(await create(api, CUSTOMER_CREATE, "customerCreate", values)) == []
    payload = await create(
        api, CUSTOMER_CREATE, "customerCreate", {"customerId": twin, "name": f"Company {other}"}
    )
    assert one_error(payload) == (
        "CUSTOMER_ID_TAKEN",
        ["input", "customerId"],
        taken_message("Customer ID", twin, first),
    )
    payload = await create(
        api, CUSTOMER_CREATE, "customerCreate", {"customerId": other, "name": f"Company {twin}"}
    )
    assert one_error(payload) == (
        "NAME_TAKEN",
        ["input", "name"],
        taken_message("Customer name", f"Company {twin}", f"Company {first}"),
    )
    assert (await api.data(CUSTOMER_GET, {"c": twin}))["customer"] is None
    assert (await api.data(CUSTOMER_GET, {"c": other}))["customer"] is None
    await new_customer(api, other)
    r = await api.gql(UPDATE_CUSTOMER, {"i": {"customerId": other, "newCustomerId": twin}})
    assert one_error(r.data["customerUpdate"]) == (
        "CUSTOMER_ID_TAKEN",
        ["input", "newCustomerId"],
        taken_message("Customer ID", twin, first),
    )
    assert (await api.data(CUSTOMER_GET, {"c": other}))["customer"]["customerId"] == other


IMPORT = """mutation($i: CustomerUsersImportInput!) { customerUsersImport(input: $i) {
  rows { index action userErrors { field code message } } } }"""


async def test_on_otobo_collation_an_import_names_the_emoji_twin(otobo_collated: Api) -> None:
    api = otobo_collated
    p = unique("i")
    first, twin = f"{p}{EMOJI}", f"{p}🚀"
    customer = await new_customer(api, first)
    created = await create(api, USER_CREATE, "customerUserCreate", user_input(customer, first))
    assert problems(created) == []
    rows = [
        {"type": "customer", "CustomerID": twin, "CustomerCompanyName": f"Company {p}"},
        {
            "UserLogin": twin,
            "UserFirstname": "T",
            "UserLastname": "Win",
            "UserEmail": f"{p}@acme.test",
            "UserCustomerID": first,
        },
    ]
    r = await api.gql(IMPORT, {"i": {"rows": rows}})
    assert [
        (row["action"], [(e["code"], e["field"], e["message"]) for e in row["userErrors"]])
        for row in r.data["customerUsersImport"]["rows"]
    ] == [
        (
            "REFUSED",
            [
                (
                    "CUSTOMER_ID_TAKEN",
                    ["input", "rows", "0", "CustomerID"],
                    taken_message("Customer ID", twin, first),
                )
            ],
        ),
        (
            "REFUSED",
            [
                (
                    "LOGIN_TAKEN",
                    ["input", "rows", "1", "UserLogin"],
                    taken_message("Login", twin, first),
                )
            ],
        ),
    ]
    assert (await api.data(USER_GET, {"l": twin}))["customerUser"] is None
