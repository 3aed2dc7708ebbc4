"""The sign-in steps together (issue 14): what one step does to the others. A wrong current
password in ``meSetPassword`` and a wrong two-factor code count toward the lockout; a lockout
that sets the user invalid ends its sessions; an admin's unlock ends a hold; an expired password
gives no session until renewed, and a renewal with ``startSession`` gives one. On every
database."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.customer_session_helpers import ME_SET_PASSWORD, me, session
from tests.api.test_customer_auth import PASSWORD, codes, sign_in
from tests.api.test_two_factor import Clock, code, set_secret
from tests.conftest import Api, MakeApi
from tests.factories import new_user_and_customer

WRONG = "Wrong-Horse-7"
NEW_PASSWORD = "Battery-Staple-9"
SECRET = "JBSWY3DPEHPK3PXP"


async def locking_api(make_api: MakeApi, **auth: Any) -> Api:
    """An app whose logins are held after 3 failures for an hour (the throttle off)."""
    limits = {"max_login_failed": 3, "lock_minutes": 60, "throttle": {"attempts": 0}}
    return await make_api(customer_auth={"limits": limits, **auth})


async def test_wrong_current_passwords_in_me_set_password_lock_the_login(
    make_api: MakeApi,
) -> None:
    api = await locking_api(make_api)
    login = await new_user_and_customer(api, password=PASSWORD)
    bearer = await session(api, login)
    wrong = {"i": {"currentPassword": WRONG, "newPassword": NEW_PASSWORD}}
    for _ in range(3):
        r = await api.gql(ME_SET_PASSWORD, wrong, key=bearer)
        assert [e["code"] for e in r.data["meSetPassword"]["userErrors"]] == ["INVALID_CREDENTIALS"]
    held = await api.gql(
        ME_SET_PASSWORD,
        {"i": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}},
        key=bearer,
    )
    assert [(e["field"], e["code"]) for e in held.data["meSetPassword"]["userErrors"]] == [
        (["input", "currentPassword"], "LOCKED")
    ]  # even the right current password waits: a stolen session cannot guess on
    assert codes(await sign_in(api, login, PASSWORD)) == ["LOCKED"]


async def test_wrong_two_factor_codes_count_toward_the_lockout(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resolvers.use_cases import two_factor as two_factor_use_cases

    clock = Clock()
    monkeypatch.setattr(two_factor_use_cases, "clock", clock)
    api = await locking_api(make_api, two_factor={"enabled": True})
    login = await new_user_and_customer(api, password=PASSWORD)
    assert (await set_secret(api, login, SECRET))["userErrors"] == []
    right = code(SECRET, clock.now)
    wrong_code = "000000" if right != "000000" else "111111"
    r = await api.gql(
        "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i)"
        " { success userErrors { code } } }",
        {"i": {"login": login, "password": PASSWORD, "otp": wrong_code}},
    )
    assert [e["code"] for e in r.data["customerUserAuthenticate"]["userErrors"]] == ["OTP_REQUIRED"]
    for _ in range(2):
        assert codes(await sign_in(api, login, PASSWORD, otp=wrong_code)) == ["OTP_REQUIRED"]
    assert codes(await sign_in(api, login, PASSWORD, otp=right)) == ["LOCKED"]


async def test_an_invalid_temporarily_lockout_ends_the_users_sessions(make_api: MakeApi) -> None:
    api = await make_api(
        customer_auth={
            "limits": {
                "max_login_failed": 3,
                "lockout": "invalid_temporarily",
                "throttle": {"attempts": 0},
            }
        }
    )
    login = await new_user_and_customer(api, password=PASSWORD)
    bearer = await session(api, login)
    assert (await me(api, bearer)).data == {"me": {"login": login}}
    for _ in range(3):
        assert codes(await sign_in(api, login, WRONG)) == ["INVALID_CREDENTIALS"]
    assert (await me(api, bearer)).status == 401  # the user is invalid now: its session ended


@pytest.mark.parametrize("unlock", ["new password", "set valid"])
async def test_an_admin_unlock_ends_the_hold_at_once(make_api: MakeApi, unlock: str) -> None:
    api = await locking_api(make_api)
    login = await new_user_and_customer(api, password=PASSWORD)
    for _ in range(3):
        await sign_in(api, login, WRONG)
    assert codes(await sign_in(api, login, PASSWORD)) == ["LOCKED"]
    if unlock == "new password":
        r = await api.gql(
            "mutation($i: CustomerUserSetPasswordInput!) { customerUserSetPassword(input: $i)"
            " { userErrors { code } } }",
            {"i": {"login": login, "password": NEW_PASSWORD}},
        )
        assert r.data["customerUserSetPassword"]["userErrors"] == [], r.body
        password = NEW_PASSWORD
    else:
        r = await api.gql(
            "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i)"
            " { userErrors { code } } }",
            {"i": {"login": login, "validity": "VALID"}},
        )
        assert r.data["customerUserUpdate"]["userErrors"] == [], r.body
        password = PASSWORD
    assert (await sign_in(api, login, password))["success"] is True


async def test_an_expired_password_gives_no_session_until_it_is_renewed(
    make_api: MakeApi,
) -> None:
    api = await make_api(passwords={"max_valid_days": 30})
    login = await new_user_and_customer(api, password=PASSWORD)  # an admin's: expired at once
    document = (
        "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i)"
        " { success sessionToken customerUser { login } userErrors { field code } } }"
    )
    refused = await api.gql(
        document, {"i": {"login": login, "password": PASSWORD, "startSession": True}}
    )
    assert refused.data["customerUserAuthenticate"] == {
        "success": False,
        "sessionToken": None,
        "customerUser": None,
        "userErrors": [{"field": None, "code": "PASSWORD_EXPIRED"}],
    }
    renewed = await api.gql(
        document,
        {
            "i": {
                "login": login,
                "password": PASSWORD,
                "newPassword": NEW_PASSWORD,
                "startSession": True,
            }
        },
    )
    payload = renewed.data["customerUserAuthenticate"]
    assert (payload["success"], payload["userErrors"]) == (True, []), renewed.body
    bearer = f"Bearer {payload['sessionToken']}"
    assert (await me(api, bearer)).data == {"me": {"login": login}}
    # The renewal was the user's own change: the next sign-in is not expired.
    assert (await sign_in(api, login, NEW_PASSWORD))["success"] is True
