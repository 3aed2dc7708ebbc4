"""The changes feed (issue 18): changed objects in commit order after a stored cursor, by
kind; sign-ins are not changes; a cursor before pruned events is CURSOR_EXPIRED, one the
server never issued BAD_USER_INPUT. Two server processes writing at once:
``tests/test_changes_feed_processes.py``."""

from __future__ import annotations

from datetime import timedelta

from datasources.db.customer_users import utcnow
from tests.api.audit_helpers import changes, global_id, head, mutate
from tests.api.customer_session_helpers import user_with_session
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, new_group, new_user


async def _drain(api: Api, cursor: str, **variables: object) -> tuple[list[dict[str, str]], str]:
    """Every change after ``cursor``, a page of 2 at a time: (the changes, the last cursor)."""
    found: list[dict[str, str]] = []
    while True:
        page = (await changes(api, cursor, f=2, **variables)).data["changes"]
        found += page["nodes"]
        assert page["cursor"], page
        cursor = page["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return found, cursor


async def test_the_feed_follows_commits_from_a_stored_cursor(make_api: MakeApi) -> None:
    api = await make_api()  # its own database: the feed is global
    start = await head(api)
    customer = await new_customer(api)
    login = await new_user(api, customer)
    group = await new_group(api)
    await mutate(
        api,
        "customerUserSetGroups",
        "CustomerUserSetGroupsInput",
        {"login": login, "grants": [{"groupId": group, "permissions": ["rw"]}]},
    )
    signed_in, _ = await user_with_session(api)  # a sign-in is no change of data

    seen, cursor = await _drain(api, start)
    keyed = [(c["objectType"], c["objectKey"], c["action"]) for c in seen]
    assert keyed[:5] == [
        ("CUSTOMER", customer, "CREATED"),
        ("CUSTOMER_USER", login, "CREATED"),
        ("GROUP", str(group), "CREATED"),
        ("CUSTOMER_USER", login, "ASSIGNMENTS_CHANGED"),
        ("GROUP", str(group), "ASSIGNMENTS_CHANGED"),
    ]
    assert all(c["action"] not in ("SESSION_STARTED", "SESSIONS_REVOKED") for c in seen)
    assert ("CUSTOMER_USER", signed_in, "CREATED") in keyed
    positions = [int(c["position"]) for c in seen]
    assert positions == sorted(set(positions))

    # Nothing new: the same cursor back, an empty page.
    again = (await changes(api, cursor)).data["changes"]
    assert (again["nodes"], again["cursor"]) == ([], cursor)
    assert await head(api) == cursor

    await mutate(api, "groupUpdate", "GroupUpdateInput", {"groupId": group, "comment": "x"})
    await mutate(
        api, "customerUserUpdate", "CustomerUserUpdateInput", {"login": login, "city": "Y"}
    )
    groups_only, _ = await _drain(api, cursor, t=["GROUP"])
    assert [(c["objectId"], c["action"]) for c in groups_only] == [
        (global_id("Group", group), "UPDATED")
    ]
    everything, _ = await _drain(api, cursor)
    assert [c["objectType"] for c in everything] == ["GROUP", "CUSTOMER_USER"]


async def test_a_cursor_before_the_retention_must_resync(make_api: MakeApi) -> None:
    api = await make_api()
    old = await head(api)
    await new_customer(api)
    past = (await changes(api, old)).data["changes"]["cursor"]
    await new_customer(api)
    assert await api.storage.audit.prune(utcnow() + timedelta(seconds=5)) == 2

    expired = await changes(api, old)
    assert expired.error_codes == ["CURSOR_EXPIRED"]
    assert "resync" in expired.errors[0]["message"].lower()
    assert (await changes(api, past)).error_codes == ["CURSOR_EXPIRED"]
    fresh = await head(api)
    assert (await changes(api, fresh)).data["changes"]["nodes"] == []
    assert (await changes(api, None)).data["changes"]["nodes"] == []


async def test_a_cursor_from_the_future_is_not_one_it_issued(api: Api) -> None:
    from resolvers.audit import cursor_of

    beyond = cursor_of(2**40).encode()
    response = await changes(api, beyond)
    assert response.error_codes == ["BAD_USER_INPUT"]
    assert "cursor" in response.errors[0]["message"]


async def test_positions_go_on_after_every_event_was_pruned(make_api: MakeApi) -> None:
    """No position is handed out twice: on SQLite the next one is read from the events
    (datasources/db/audit_events._INSERT_ONE_SQLITE), so pruning them all must not lower it."""
    api = await make_api()
    start = await head(api)
    await new_customer(api)
    await new_customer(api)
    before = (await changes(api, start)).data["changes"]
    last_position = int(before["nodes"][-1]["position"])
    assert await api.storage.audit.prune(utcnow() + timedelta(seconds=5)) == 2
    assert await head(api) == before["cursor"]  # the head stays where it was
    customer = await new_customer(api)
    page = (await changes(api, before["cursor"])).data["changes"]
    assert [(c["objectKey"], c["action"]) for c in page["nodes"]] == [(customer, "CREATED")]
    assert int(page["nodes"][0]["position"]) == last_position + 1
