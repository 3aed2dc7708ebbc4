"""OTOBO's own customer-authentication tests, ported (reference ``otobo-customer-auth.md`` §8),
through ``customerUserAuthenticate`` on every database. The stored values come from OTOBO's
algorithm run in Perl (``tests.test_otobo_password_vectors``), never from Roster.

- ``scripts/test/CustomerAuth.t``: for every CryptType OTOBO writes and its ten passwords, the
  sign-in succeeds twice (OTOBO's "cached" second run; here the first one may have rehashed the
  value to ``[passwords] scheme``), a wrong password and a login that does not exist fail; a
  bcrypt value still verifies after ``bcrypt_cost`` was raised by 2; a value is recognised by its
  shape whatever scheme is configured (a ``crypt`` user and a ``sha1`` user both sign in).
  Not ported: CryptType ``plain`` (a password stored in clear; Roster never compares one, so
  such a row signs in nobody — ``test_a_password_stored_in_clear_signs_in_nobody``).
- ``scripts/test/CustomerUser.t`` item 3: for every scheme Roster writes, ``some_pass``,
  ``someカス`` and ``someäöü`` set through the API sign in.
- ``scripts/test/Auth/Bug13407.t`` (agents only in OTOBO): a login locked by failures is not
  rehashed (``test_a_locked_login_is_not_rehashed``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_customer_auth import codes, set_pw, sign_in, stored_pw
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_user_and_customer
from tests.test_otobo_password_vectors import _MISSING, otobo_set_password

pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")

CUSTOMER_AUTH_T_PASSWORDS = [
    "simple",
    "very long password line which is unusual",
    "Переводчик",
    "متأخر",
    " ",
    "\n",
    "\t",
    "a" * 64,
    "'UNION'",
    "';",
]
OTOBO_CRYPT_TYPES = ["crypt", "apr1", "md5", "sha1", "sha2", "sha512", "bcrypt"]
NO_LIMITS: dict[str, Any] = {"limits": {"throttle": {"attempts": 0}}}


async def catalogue_api(make_api: MakeApi, **sections: Any) -> Api:
    """An app without the per-client throttle (the catalogue fails many passwords at once)."""
    return await make_api(customer_auth=NO_LIMITS, **sections)


def _wrong(password: str) -> str:
    """A different password whose first character differs (DES crypt reads only 8 bytes)."""
    return ("Z" if not password.startswith("Z") else "Y") + password


@pytest.mark.parametrize("crypt_type", OTOBO_CRYPT_TYPES)
async def test_customer_auth_t_every_crypt_type_and_password(
    make_api: MakeApi, crypt_type: str
) -> None:
    api = await catalogue_api(make_api)
    logins = [await new_user_and_customer(api) for _ in CUSTOMER_AUTH_T_PASSWORDS]
    pairs = list(zip(CUSTOMER_AUTH_T_PASSWORDS, logins, strict=True))
    stored = otobo_set_password([(crypt_type, pw, login, 4) for pw, login in pairs])
    for login, value in zip(logins, stored, strict=True):
        await set_pw(api, login, value)
    for login, password in zip(logins, CUSTOMER_AUTH_T_PASSWORDS, strict=True):
        for run in ("first", "cached"):
            answer = await sign_in(api, login, password)
            assert (answer["success"], answer["backend"]) == (True, "db"), (run, password)
        assert codes(await sign_in(api, login, _wrong(password))) == ["INVALID_CREDENTIALS"]
        ghost = unique("not-existing-")
        assert codes(await sign_in(api, ghost, password)) == ["INVALID_CREDENTIALS"]


async def test_customer_auth_t_bcrypt_after_the_cost_was_raised(make_api: MakeApi) -> None:
    api = await catalogue_api(make_api, passwords={"bcrypt_cost": 6})
    login = await new_user_and_customer(api)
    [old] = otobo_set_password([("bcrypt", "simple", login, 4)])
    await set_pw(api, login, old)
    assert (await sign_in(api, login, "simple"))["success"] is True  # cost 4 under cost 6
    assert (await stored_pw(api, login) or "").startswith("BCRYPT:6:")  # re-set at the new cost
    assert (await sign_in(api, login, "simple"))["success"] is True


async def test_customer_auth_t_recognition_by_shape_not_by_configured_scheme(
    make_api: MakeApi,
) -> None:
    api = await catalogue_api(make_api, passwords={"scheme": "sha2"})
    crypt_user = await new_user_and_customer(api)
    sha1_user = await new_user_and_customer(api)
    crypt_value, sha1_value = otobo_set_password(
        [("crypt", "simple", crypt_user, 4), ("sha1", "simple", sha1_user, 4)]
    )
    await set_pw(api, crypt_user, crypt_value)
    await set_pw(api, sha1_user, sha1_value)
    for login in (crypt_user, sha1_user):
        assert (await sign_in(api, login, "simple"))["success"] is True


async def test_customer_auth_t_an_invalid_user_cannot_sign_in(api: Api) -> None:
    login = await new_user_and_customer(api, password="Correct-Horse-7")
    r = await api.gql(
        "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i)"
        " { userErrors { code } } }",
        {"i": {"login": login, "validity": "INVALID"}},
    )
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert codes(await sign_in(api, login, "Correct-Horse-7")) == ["INVALID_CREDENTIALS"]


async def test_a_password_stored_in_clear_signs_in_nobody(api: Api) -> None:
    login = await new_user_and_customer(api)
    await set_pw(api, login, "simple-clear-text")
    assert codes(await sign_in(api, login, "simple-clear-text")) == ["INVALID_CREDENTIALS"]


@pytest.mark.parametrize("scheme", ["bcrypt", "argon2id", "sha2", "sha512"])
async def test_customer_user_t_passwords_set_through_the_api_sign_in(
    make_api: MakeApi, scheme: str
) -> None:
    api = await catalogue_api(make_api, passwords={"scheme": scheme, "min_size": 4})
    for password in ("some_pass", "someカス", "someäöü"):
        login = await new_user_and_customer(api, password=password)
        assert (await sign_in(api, login, password))["success"] is True, (scheme, password)


async def test_a_locked_login_is_not_rehashed(make_api: MakeApi) -> None:
    limits = {"max_login_failed": 2, "lock_minutes": 60, "throttle": {"attempts": 0}}
    api = await make_api(customer_auth={"limits": limits})
    login = await new_user_and_customer(api)
    [weak] = otobo_set_password([("sha2", "simple", login, 4)])
    await set_pw(api, login, weak)
    for _ in range(2):
        await sign_in(api, login, "wrong")
    assert codes(await sign_in(api, login, "simple")) == ["LOCKED"]
    assert await stored_pw(api, login) == weak  # the right password was not even checked
