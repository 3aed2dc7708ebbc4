"""Customer sessions through the API (issue 14): a sign-in with ``startSession`` returns a
token (shown once, stored only as a hash), which reads ``me`` until it is revoked, expires,
idles out, or an admin changes the user's password, validity or login; ``meSetPassword``; the
session on another server process. On every database."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from datasources.backend import BackendHealth, BackendStatus
from datasources.db.tables import roster_customer_session
from tests.api.auth_helpers import assert_unauthenticated
from tests.api.customer_session_helpers import (
    ME,
    ME_SET_PASSWORD,
    PASSWORD,
    REVOKE,
    SIGN_IN,
    auth_key,
    me,
    session,
    signed_in,
    user_with_session,
)
from tests.conftest import Api, MakeApi, open_api, unique
from tests.factories import new_customer, new_group, new_service, new_user

NEW_PASSWORD = "Battery-Staple-9"
FULL = (
    "login customerIds customers { customerId } services { name } availableServices { name } "
    "effectivePermissions { group { name } permission reasons { kind customerId viaRw } }"
)


def _works(r: Any, login: str) -> None:
    assert r.status == 200, r.body
    assert r.data == {"me": {"login": login}}


async def test_me_is_the_signed_in_user_with_customers_permissions_and_services(
    groups_on: Api,
) -> None:
    api = groups_on
    primary, other = await new_customer(api), await new_customer(api)
    login = await new_user(api, primary, password=PASSWORD)
    group, service = await new_group(api), await new_service(api)
    for mutation, values in (
        ("customerUserSetCustomers", {"customerIds": [other]}),
        ("customerUserSetGroups", {"grants": [{"groupId": group, "permissions": ["rw"]}]}),
        ("customerUserSetServices", {"serviceIds": [service]}),
    ):
        r = await api.gql(
            f"mutation($i: {mutation[0].upper() + mutation[1:]}Input!) "
            f"{{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}",
            {"i": {"login": login, **values}},
        )
        assert r.data[mutation]["userErrors"] == [], r.body
    portal, _ = await auth_key(api)
    before = datetime.now(UTC)
    payload = await signed_in(api, login, key=portal)
    expires = datetime.fromisoformat(payload["sessionExpiresAt"])
    assert before + timedelta(hours=16) - timedelta(minutes=1) <= expires
    assert expires <= datetime.now(UTC) + timedelta(hours=16)
    bearer = f"Bearer {payload['sessionToken']}"
    r = await me(api, bearer, f"{{ me {{ {FULL} }} }}")
    assert r.status == 200, r.body
    mine = r.data["me"]
    assert (
        mine
        == (await api.gql(f'{{ customerUser(login: "{login}") {{ {FULL} }} }}')).data[
            "customerUser"
        ]
    )  # the same CustomerUser an admin reads
    assert mine["login"] == login
    assert sorted(mine["customerIds"]) == sorted([primary, other])
    assert {s["name"] for s in mine["services"]} == {s["name"] for s in mine["availableServices"]}
    assert len(mine["services"]) == 1
    held = {(p["group"]["name"], p["permission"]) for p in mine["effectivePermissions"]}
    assert any(permission == "rw" for _, permission in held), held


async def test_without_start_session_there_is_no_token(api: Api) -> None:
    login = await new_user(api, await new_customer(api), password=PASSWORD)
    r = await api.gql(SIGN_IN, {"i": {"login": login, "password": PASSWORD}})
    payload = r.data["customerUserAuthenticate"]
    assert payload["success"] is True
    assert payload["sessionToken"] is None
    assert payload["sessionExpiresAt"] is None


async def test_unknown_and_malformed_tokens_are_unauthenticated(api: Api) -> None:
    login, bearer = await user_with_session(api)
    for presented in (
        "Bearer rcs_" + "A" * 43,
        bearer + "x",
        bearer[:-1],
        "Bearer rcs_",
        "Bearer rcs_" + "a" * 500,
        bearer.replace("rcs_", "rst_"),
    ):
        assert_unauthenticated(await me(api, presented))
    _works(await me(api, bearer), login)


async def _set_times(api: Api, login: str, **values: datetime) -> None:
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.update(roster_customer_session)
            .where(roster_customer_session.c.login == login)
            .values(**values)
        )


def _past(**delta: float) -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) - timedelta(**delta)


async def _end(api: Api, how: str, login: str, bearer: str) -> None:
    """End ``login``'s session ``bearer`` the way ``how`` names."""
    if how == "log out":
        r = await api.gql(REVOKE, key=bearer)
        assert r.data["customerSessionRevoke"] == {"revoked": 1, "userErrors": []}
    elif how == "admin revokes":
        r = await api.gql(REVOKE, {"i": {"login": login.upper()}})
        assert r.data["customerSessionRevoke"] == {"revoked": 2, "userErrors": []}
    elif how == "expired":
        await _set_times(api, login, expire_time=_past(seconds=1))
    elif how == "idle":
        await _set_times(api, login, last_used_time=_past(hours=2, seconds=1))
    elif how == "admin sets the password":
        r = await api.gql(
            "mutation($i: CustomerUserSetPasswordInput!) { customerUserSetPassword(input: $i)"
            " { userErrors { code } } }",
            {"i": {"login": login, "password": NEW_PASSWORD}},
        )
        assert r.data["customerUserSetPassword"]["userErrors"] == []
    else:
        change = {"validity": "INVALID"} if how == "set invalid" else {"newLogin": unique("re")}
        r = await api.gql(
            "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i)"
            " { userErrors { code } } }",
            {"i": {"login": login, **change}},
        )
        assert r.data["customerUserUpdate"]["userErrors"] == []


@pytest.mark.parametrize(
    "how",
    [
        "log out",
        "admin revokes",
        "expired",
        "idle",
        "admin sets the password",
        "set invalid",
        "set temporarily invalid",
        "renamed",
    ],
)
async def test_a_token_stops_working(api: Api, how: str) -> None:
    login, bearer = await user_with_session(api)
    second = await session(api, login)
    bystander, bystander_bearer = await user_with_session(api)
    _works(await me(api, bearer), login)
    if how == "set temporarily invalid":
        r = await api.gql(
            "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i)"
            " { userErrors { code } } }",
            {"i": {"login": login, "validity": "INVALID_TEMPORARILY"}},
        )
        assert r.data["customerUserUpdate"]["userErrors"] == []
    else:
        await _end(api, how, login, bearer)
    assert_unauthenticated(await me(api, bearer))
    assert_unauthenticated(await api.gql(REVOKE, key=bearer))
    if how == "log out":
        _works(await me(api, second), login)  # logging out ends only that session
    else:
        assert_unauthenticated(await me(api, second))
    _works(await me(api, bystander_bearer), bystander)


async def test_a_harmless_update_keeps_the_sessions(api: Api) -> None:
    login, bearer = await user_with_session(api)
    r = await api.gql(
        "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i)"
        " { userErrors { code } } }",
        {"i": {"login": login, "city": "Bonn", "validity": "VALID"}},
    )
    assert r.data["customerUserUpdate"]["userErrors"] == []
    _works(await me(api, bearer), login)


async def test_use_is_noted_at_most_once_a_minute(api: Api) -> None:
    login, bearer = await user_with_session(api)
    await _set_times(api, login, last_used_time=_past(minutes=30))
    _works(await me(api, bearer), login)
    async with api.storage.engine.connect() as conn:
        used = await conn.scalar(
            sa.select(roster_customer_session.c.last_used_time).where(
                roster_customer_session.c.login == login
            )
        )
    assert used is not None
    assert used > _past(minutes=1)
    r = await me(api, bearer)
    _works(r, login)
    admin = await api.gql(f'{{ customerUser(login: "{login}") {{ login }} }}')  # key cached
    assert r.statements == admin.statements + 1  # + the session's look-up; nothing written


async def test_revoke_input_rules(api: Api) -> None:
    login, bearer = await user_with_session(api)
    other, _ = await user_with_session(api)

    async def errors(variables: dict[str, Any] | None, key: str) -> Any:
        r = await api.gql(REVOKE, variables, key=key)
        return r.data["customerSessionRevoke"]

    assert await errors(None, "admin") == {
        "revoked": 0,
        "userErrors": [{"field": ["input", "login"], "code": "REQUIRED"}],
    }
    assert await errors({"i": {"login": unique("ghost")}}, "admin") == {
        "revoked": 0,
        "userErrors": [{"field": ["input", "login"], "code": "NOT_FOUND"}],
    }
    assert await errors({"i": {"login": other}}, bearer) == {
        "revoked": 0,
        "userErrors": [{"field": ["input", "login"], "code": "INVALID"}],
    }
    _works(await me(api, bearer), login)
    assert await errors({"i": {}}, bearer) == {"revoked": 1, "userErrors": []}


async def test_me_set_password(api: Api) -> None:
    portal, portal_name = await auth_key(api)
    login = await new_user(api, await new_customer(api), password=PASSWORD)
    bearer = await session(api, login, key=portal)
    elsewhere = await session(api, login, key=portal)

    async def change(current: str, new: str) -> Any:
        variables = {"i": {"currentPassword": current, "newPassword": new}}
        r = await api.gql(ME_SET_PASSWORD, variables, key=bearer)
        assert r.status == 200, r.body
        return r.data["meSetPassword"]

    for current, new, field, code in (
        ("Wrong-Horse-7", NEW_PASSWORD, "currentPassword", "INVALID_CREDENTIALS"),
        ("", NEW_PASSWORD, "currentPassword", "INVALID_CREDENTIALS"),
        (PASSWORD + " ", NEW_PASSWORD, "currentPassword", "INVALID_CREDENTIALS"),
        (PASSWORD, "", "newPassword", "REQUIRED"),
        (PASSWORD, "a", "newPassword", "PASSWORD_TOO_SHORT"),
    ):
        payload = await change(current, new)
        assert payload["customerUser"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["input", field], code)
        ], (current, new)
    _works(await me(api, elsewhere), login)  # nothing changed: every session still works
    assert (await signed_in(api, login, PASSWORD))["success"] is True

    payload = await change(PASSWORD, NEW_PASSWORD)
    assert payload == {
        "customerUser": {"login": login, "changedBy": portal_name},  # the portal's key acted
        "userErrors": [],
    }
    _works(await me(api, bearer), login)  # the session that changed it goes on
    assert_unauthenticated(await me(api, elsewhere))  # every other one ends
    refused = await api.gql(SIGN_IN, {"i": {"login": login, "password": PASSWORD}})
    assert [e["code"] for e in refused.data["customerUserAuthenticate"]["userErrors"]] == [
        "INVALID_CREDENTIALS"
    ]
    assert (await signed_in(api, login, NEW_PASSWORD))["success"] is True
    r = await api.gql(
        ME_SET_PASSWORD, {"i": {"currentPassword": NEW_PASSWORD, "newPassword": PASSWORD}}
    )
    assert r.error_codes == ["FORBIDDEN"]  # an API key has no password of its own


class _Directory:
    """An authentication backend whose passwords Roster does not keep (as LDAP's)."""

    name = "directory"
    stores_passwords = False
    kind = "ldap"

    async def health(self) -> BackendHealth:
        return BackendHealth(BackendStatus.UP, 0.0, None)

    async def check(self, login: str, password: str) -> str | None:
        return login if password == "Directory-Pass-1" else None

    async def after_sign_in(self, login: str, password: str) -> None:
        return None

    async def close(self) -> None:
        return None


async def test_a_password_kept_by_a_directory_cannot_be_changed_here(make_api: MakeApi) -> None:
    api = await make_api()
    api.storage.customer_auth.insert(0, _Directory())
    login = await new_user(api, await new_customer(api), password=PASSWORD)
    bearer = await session(api, login, password="Directory-Pass-1")
    r = await api.gql(
        ME_SET_PASSWORD,
        {"i": {"currentPassword": "Directory-Pass-1", "newPassword": NEW_PASSWORD}},
        key=bearer,
    )
    payload = r.data["meSetPassword"]
    assert payload["customerUser"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "currentPassword"], "READ_ONLY")
    ]
    # The database password still works where the database is asked.
    r = await api.gql(
        ME_SET_PASSWORD,
        {"i": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}},
        key=bearer,
    )
    assert r.data["meSetPassword"]["userErrors"] == []


async def test_tokens_are_stored_as_hashes_and_never_logged(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # as deployed: drivers log statements only at DEBUG
    login = await new_user(api, await new_customer(api), password=PASSWORD)
    bearer = await session(api, login)
    token = bearer.removeprefix("Bearer ")
    _works(await me(api, bearer), login)
    await api.gql(
        ME_SET_PASSWORD,
        {"i": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}},
        key=bearer,
    )
    await api.gql(REVOKE, key=bearer)
    assert_unauthenticated(await me(api, bearer))
    assert token not in caplog.text
    assert token[4:] not in caplog.text
    assert NEW_PASSWORD not in caplog.text
    async with api.storage.engine.connect() as conn:
        rows = (
            (
                await conn.execute(
                    sa.select(roster_customer_session).where(
                        roster_customer_session.c.login == login
                    )
                )
            )
            .mappings()
            .all()
        )
    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token[4:12] in str(value) for value in rows[0].values())
    assert rows[0]["revoke_time"] is not None


async def test_a_session_works_on_another_server_process(api: Api) -> None:
    """Two apps with their own storage on one database, as two server processes: a session
    started on one works on the other, and ending it on one ends it on both at once."""
    login, bearer = await user_with_session(api)
    async with open_api(api.kind, api.storage.config) as other_process:
        _works(await me(other_process, bearer), login)
        r = await other_process.gql(REVOKE, key=bearer)
        assert r.data["customerSessionRevoke"]["revoked"] == 1
        assert_unauthenticated(await me(other_process, bearer))
    assert_unauthenticated(await me(api, bearer))
    assert ME  # the document both processes answered
