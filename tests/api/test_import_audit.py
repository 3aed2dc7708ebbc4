"""A bulk import leaves the audit trail a row-by-row write would: the same events (created,
updated, password set — never the password —, assignments on both sides) in ``history``,
``auditEvents`` and the changes feed; a dry run or an unchanged row leaves none."""

from __future__ import annotations

from typing import Any

from tests.api.audit_helpers import changes, events_of, fields, head, mutate, sets
from tests.api.groups_helpers import group_create
from tests.api.test_customer_users_import import imported, user_row
from tests.conftest import Api, unique

PASSWORD = "Correct-Horse-Battery-9"


def shape(event: dict[str, Any], login: str) -> tuple[Any, ...]:
    """An event without what differs between two users: position, time, the login."""

    def plain(value: Any) -> Any:
        return value.replace(login, "<login>") if isinstance(value, str) else value

    return (
        event["objectType"],
        event["action"],
        event["actor"]["name"],
        sorted((f["field"], plain(f["before"]), plain(f["after"])) for f in event["fields"]),
        sorted((s["name"], s["added"], s["removed"]) for s in event["sets"]),
    )


async def test_a_user_imported_has_the_events_of_one_created_by_customer_user_create(
    api: Api,
) -> None:
    company = unique("C")
    await mutate(
        api, "customerCreate", "CustomerCreateInput", {"customerId": company, "name": company}
    )
    by_api, by_import = unique("a"), unique("i")
    await mutate(
        api,
        "customerUserCreate",
        "CustomerUserCreateInput",
        {
            "login": by_api,
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": f"{by_api}@example.test",
            "customerId": company,
            "password": PASSWORD,
        },
    )
    result = await imported(api, [user_row(by_import, company, password=PASSWORD)])
    assert result["created"] == 1, result

    created_by_api = await events_of(api, "CustomerUser", by_api)
    created_by_import = await events_of(api, "CustomerUser", by_import)
    assert [shape(e, by_api) for e in created_by_api] == [
        shape(e, by_import) for e in created_by_import
    ]
    assert [e["action"] for e in created_by_import] == ["CREATED"]
    assert fields(created_by_import[0])["UserLogin"] == (None, by_import)
    assert PASSWORD not in str(created_by_import)


async def test_an_imported_update_records_fields_password_and_both_sides_of_a_grant(
    api: Api,
) -> None:
    company, login, group = unique("C"), unique("u"), unique("g")
    group_id = (await group_create(api, name=group))["group"]["groupId"]
    customer = {"type": "customer", "CustomerID": company, "CustomerCompanyName": company}
    await imported(api, [customer, user_row(login, company)])
    cursor = await head(api)

    dry = await imported(api, [user_row(login, company, UserLastname="Byron")], dry_run=True)
    assert dry["updated"] == 1, dry
    again = await imported(api, [customer, user_row(login, company)])
    assert again["unchanged"] == 2, again
    assert (await changes(api, cursor)).data["changes"]["nodes"] == []  # neither wrote

    row = user_row(login, company, UserLastname="Byron", password=PASSWORD, groups={group: ["rw"]})
    renamed_company = {**customer, "CustomerCompanyName": f"{company} Ltd"}
    result = await imported(api, [renamed_company, row])
    assert (result["updated"], result["refused"]) == (2, 0), result

    feed = (await changes(api, cursor)).data["changes"]["nodes"]
    assert [(e["objectType"], e["objectKey"], e["action"]) for e in feed] == [
        ("CUSTOMER", company, "UPDATED"),
        ("CUSTOMER_USER", login, "UPDATED"),
        ("CUSTOMER_USER", login, "PASSWORD_SET"),
        ("CUSTOMER_USER", login, "ASSIGNMENTS_CHANGED"),
        ("GROUP", str(group_id), "ASSIGNMENTS_CHANGED"),
    ]
    assert fields(feed[0]) == {"name": (company, f"{company} Ltd")}
    assert fields(feed[1]) == {"UserLastname": ("Lovelace", "Byron")}
    assert feed[2]["fields"] == []
    assert PASSWORD not in str(feed)
    assert sets(feed[3]) == {"groups": ({f"{group_id}:rw"}, set())}
    assert sets(feed[4]) == {"customer_users": ({f"{login}:rw"}, set())}
    history = await events_of(api, "CustomerUser", login)
    assert [e["action"] for e in history] == [
        "CREATED",
        "UPDATED",
        "PASSWORD_SET",
        "ASSIGNMENTS_CHANGED",
    ]
    assert {e["actor"]["name"] for e in history} == {feed[0]["actor"]["name"]}


async def test_a_group_granted_to_a_batch_of_users_gets_one_event_naming_them(api: Api) -> None:
    company, group, logins = unique("C"), unique("g"), [unique("u"), unique("u")]
    group_id = (await group_create(api, name=group))["group"]["groupId"]
    customer = {"type": "customer", "CustomerID": company, "CustomerCompanyName": company}
    rows = [customer, *(user_row(login, company, groups={group: ["ro"]}) for login in logins)]
    assert (await imported(api, rows))["created"] == 3

    created, granted = await events_of(api, "Group", group_id)
    assert (created["action"], granted["action"]) == ("CREATED", "ASSIGNMENTS_CHANGED")
    assert sets(granted) == {"customer_users": ({f"{login}:ro" for login in logins}, set())}
    for login in logins:
        history = await events_of(api, "CustomerUser", login)
        assert [e["action"] for e in history] == ["CREATED", "ASSIGNMENTS_CHANGED"]
        assert sets(history[1]) == {"groups": ({f"{group_id}:ro"}, set())}
