"""``customerUsersImport``: the bulk import through the API, on every database kind.

Rows are the JSON Lines objects of ``roster import``; each comes back created, updated,
unchanged or refused with its user errors at ``["input", "rows", i, field]``.
"""

from __future__ import annotations

from typing import Any

from tests.api.groups_helpers import direct_grants, group_create, user_relations
from tests.api.services_helpers import create_ok as service_create
from tests.api.services_helpers import user_services
from tests.conftest import Api, unique

IMPORT = """mutation($i: CustomerUsersImportInput!) { customerUsersImport(input: $i) {
  dryRun created updated unchanged refused
  rows { index kind key action changed userErrors { field code message } }
  userErrors { field code }
} }"""
USER = "query($l: String!) { customerUser(login: $l) { login email lastName customerId } }"


async def run(api: Api, rows: list[Any], *, dry_run: bool = False, key: str = "admin") -> Any:
    r = await api.gql(IMPORT, {"i": {"rows": rows, "dryRun": dry_run}}, key=key)
    return r


async def imported(api: Api, rows: list[Any], *, dry_run: bool = False) -> dict[str, Any]:
    r = await run(api, rows, dry_run=dry_run)
    payload: dict[str, Any] = r.data["customerUsersImport"]
    return payload


def user_row(login: str, customer: str, **extra: Any) -> dict[str, Any]:
    return {
        "UserLogin": login,
        "UserFirstname": "Ada",
        "UserLastname": "Lovelace",
        "UserEmail": f"{login}@example.test",
        "UserCustomerID": customer,
        **extra,
    }


async def test_rows_are_created_with_assignments_then_unchanged_on_the_second_call(
    api: Api,
) -> None:
    company, login, group, service = unique("C"), unique("u"), unique("g"), unique("S")
    await group_create(api, name=group)
    await service_create(api, service)
    rows: list[Any] = [
        # the user names a customer that comes later in the same call
        user_row(
            login, company, customers=[company], groups={group: ["ro", "rw"]}, services=[service]
        ),
        {"type": "customer", "CustomerID": company, "CustomerCompanyName": f"{company} Ltd"},
    ]
    first = await imported(api, rows)
    assert (first["created"], first["updated"], first["refused"]) == (2, 0, 0), first
    assert [(r["index"], r["kind"], r["action"]) for r in first["rows"]] == [
        (0, "CUSTOMER_USER", "CREATED"),
        (1, "CUSTOMER", "CREATED"),
    ]
    relations = await user_relations(api, login)
    assert [c["customerId"] for c in relations["customers"]] == [company]
    assert await direct_grants(api, login) == {group: {"ro", "rw"}}
    assert (await user_services(api, login))[0] == [service]

    again = await imported(api, rows)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2), again

    changed = await imported(api, [{**rows[0], "UserLastname": "Byron", "groups": {}}])
    assert changed["rows"][0]["action"] == "UPDATED"
    assert changed["rows"][0]["changed"] == ["UserLastname", "groups"]
    assert await direct_grants(api, login) == {}


async def test_dry_run_reports_and_writes_nothing(api: Api) -> None:
    company, login = unique("C"), unique("u")
    rows: list[Any] = [
        {"type": "customer", "CustomerID": company, "CustomerCompanyName": company},
        user_row(login, company),
    ]
    payload = await imported(api, rows, dry_run=True)
    assert payload["dryRun"] is True
    assert [r["action"] for r in payload["rows"]] == ["CREATED", "CREATED"]
    assert (await api.data(USER, {"l": login}))["customerUser"] is None
    r = await api.gql("query($c: String!) { customer(customerId: $c) { name } }", {"c": company})
    assert r.data["customer"] is None


async def test_each_refused_row_has_typed_errors_and_the_others_are_written(api: Api) -> None:
    company, ok, taken = unique("C"), unique("u"), unique("u")
    await imported(
        api, [{"type": "customer", "CustomerID": company, "CustomerCompanyName": company}]
    )
    await imported(api, [user_row(taken, company)])
    rows: list[Any] = [
        user_row(ok, company),
        user_row(ok.upper(), company),  # the same login again, in other case
        user_row(unique("u"), "NO-SUCH-CUSTOMER", groups={"no such group": ["rw"]}),
        {**user_row(unique("u"), company), "UserEmail": f"{taken}@example.test"},
        {**user_row(unique("u"), company), "UserEmail": "not an address"},
        {**user_row(unique("u"), company), "colour": "blue"},
        "not an object",
    ]
    payload = await imported(api, rows)
    assert [r["action"] for r in payload["rows"]] == ["CREATED"] + ["REFUSED"] * 6
    codes = {r["index"]: {e["code"] for e in r["userErrors"]} for r in payload["rows"]}
    assert codes[1] == {"DUPLICATE"}
    assert codes[2] == {"UNKNOWN_CUSTOMER", "UNKNOWN_GROUP"}
    assert codes[3] == {"EMAIL_TAKEN"}
    assert codes[4] == {"INVALID_EMAIL"}
    assert codes[5] == {"INVALID"}
    assert codes[6] == {"INVALID"}
    fields = {tuple(e["field"]) for e in payload["userErrors"]}
    assert ("input", "rows", "2", "groups", "no such group") in fields
    assert ("input", "rows", "4", "UserEmail") in fields
    assert "colour" in payload["rows"][5]["userErrors"][0]["message"]
    assert (await api.data(USER, {"l": ok}))["customerUser"]["login"] == ok


async def test_more_than_1000_rows_are_refused_and_a_read_key_is_forbidden(api: Api) -> None:
    payload = await imported(api, [{"UserLogin": f"x{i}"} for i in range(1001)])
    assert payload["userErrors"] == [{"field": ["input", "rows"], "code": "TOO_LONG"}]
    assert payload["rows"] == []
    r = await run(api, [], key="read")
    assert r.error_codes == ["FORBIDDEN"]


async def test_a_customer_row_sets_its_group_grants(api: Api) -> None:
    from tests.api.groups_helpers import CUSTOMER_GRANTS

    company, group, other = unique("C"), unique("g"), unique("g")
    await group_create(api, name=group)
    await group_create(api, name=other)
    row = {"type": "customer", "CustomerID": company, "CustomerCompanyName": company}
    first = await imported(api, [{**row, "groups": {group: ["ro", "rw"], other: ["ro"]}}])
    assert (first["created"], first["refused"]) == (1, 0), first
    second = await imported(api, [{**row, "groups": {group: ["rw"]}}])
    assert (second["updated"], second["rows"][0]["changed"]) == (1, ["groups"]), second
    r = await api.gql(CUSTOMER_GRANTS, {"c": company})
    grants = {
        (g["group"]["name"], g["context"], tuple(sorted(g["permissions"])))
        for g in r.data["customer"]["groupGrants"]
    }
    assert grants == {(group, "SAME", ("rw",))}
    refused = await imported(api, [{**row, "groups_other": {group: ["ro"]}}])  # not configured
    assert refused["rows"][0]["userErrors"][0]["code"] == "UNKNOWN_CONTEXT", refused
    assert refused["rows"][0]["userErrors"][0]["field"][-2:] == ["groups_other", group]
