"""The password policy through the API (issue 14): OTOBO's ``PasswordMinSize``,
``PasswordMin2Lower2UpperCharacters``, ``PasswordNeedDigit``, ``PasswordMin2Characters``,
``PasswordMin3of4``, ``PasswordRegExp`` on create and set-password, every broken rule a user
error of its own; the salted history (``PasswordHistory``); and the expiry at sign-in
(``PasswordMaxValidTimeInDays``) with its renewal by ``newPassword``.

Runs on every database kind. Each policy gets an app of its own, built once per module and
database kind (``policy_api``); the stored values are read and planted with SQL.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import bcrypt
import pytest

from datasources.backend import BackendHealth, BackendStatus
from domain.password_policy import policy_problems
from domain.passwords import verify_password
from tests.api.customer_users_helpers import (
    create,
    create_refused,
    get,
    set_password,
    sql,
    stored_hash,
    update,
)
from tests.checks import errors
from tests.conftest import DB_KINDS, Api, Databases, base_config, open_api, unique
from tests.factories import new_customer, user_input

SIGN_IN = (
    "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i) {"
    " success backend customerUser { login } userErrors { field code message } } }"
)
DAY = 86_400

# One rule switched on at a time, with a password only it refuses and one it accepts.
RULES: dict[str, tuple[dict[str, Any], str, str, str]] = {
    "min_size": ({"min_size": 12}, "Elevenchars", "Twelve chars", "PASSWORD_TOO_SHORT"),
    "min_2_lower_2_upper": (
        {"min_2_lower_2_upper": True},
        "ÄÖÜäöü-long-Enough",  # non-ASCII letters do not count, as in OTOBO
        "long-Enough-AB",
        "PASSWORD_NEEDS_UPPER_AND_LOWER",
    ),
    "need_digit": ({"need_digit": True}, "no digits here", "one digit: 7", "PASSWORD_NEEDS_DIGIT"),
    "min_2_characters": (
        {"min_2_characters": True},
        "!!!!a!!!!!",
        "!!!!a!b!!!",
        "PASSWORD_NEEDS_LETTERS",
    ),
    "min_3_of_4": (
        {"min_3_of_4": True},
        "lowercaseonly",
        "lowercase and 1",  # lower, other, digit: three
        "PASSWORD_NEEDS_3_OF_4_CLASSES",
    ),
    "regexp": (
        {"regexp": "^[^:]*$"},
        "no:colons-allowed",
        "no-colons-here",
        "PASSWORD_PATTERN_MISMATCH",
    ),
}
ALL_RULES: dict[str, Any] = {
    "min_size": 10,
    "min_2_lower_2_upper": True,
    "min_2_characters": True,
    "need_digit": True,
    "min_3_of_4": True,
    "regexp": "^[^:]*$",
    "history": 2,
    "max_valid_days": 30,
}
GOOD = ["Pass-Word-1a", "Pass-Word-2b", "Pass-Word-3c", "Pass-Word-4d"]

PolicyApi = Callable[[str], Awaitable[Api]]


@pytest.fixture(scope="module", params=DB_KINDS)
async def policy_api(
    request: pytest.FixtureRequest, databases: Databases
) -> AsyncIterator[PolicyApi]:
    """``get(name)``: the app of policy ``name`` (a key of RULES, or "all": ALL_RULES, or
    "history0"), on a database of this module's kind, built on first use."""
    kind = request.param
    built: dict[str, Api] = {}
    async with contextlib.AsyncExitStack() as stack:

        async def get(name: str) -> Api:
            if name not in built:
                if name == "all":
                    passwords = ALL_RULES
                elif name == "history0":
                    passwords = {"history": 0}
                else:
                    passwords = RULES[name][0]
                config = base_config(await databases.create(kind), passwords=passwords)
                built[name] = await stack.enter_async_context(open_api(kind, config))
            return built[name]

        yield get


async def new_login(api: Api, password: str | None) -> str:
    data = user_input(await new_customer(api), password=password)
    payload = await create(api, data)
    assert payload["userErrors"] == [], payload["userErrors"]
    return str(data["login"])


async def sign_in(api: Api, login: str, password: str, new_password: str | None = None) -> Any:
    given = {"login": login, "password": password, "newPassword": new_password}
    r = await api.gql(SIGN_IN, {"i": given})
    assert r.status == 200, r.body
    return r.data["customerUserAuthenticate"]


async def history_rows(api: Api, login: str) -> list[str]:
    rows = await sql(
        api,
        "SELECT password_hash FROM roster_password_history WHERE login = :l ORDER BY id",
        {"l": login},
    )
    return [str(row[0]) for row in rows]


async def change_time(api: Api, login: str) -> str | None:
    rows = await sql(
        api,
        "SELECT preferences_value FROM customer_preferences"
        " WHERE user_id = :l AND preferences_key = 'UserLastPwChangeTime'",
        {"l": login},
    )
    return None if not rows else str(rows[0][0])


async def plant_change_time(api: Api, login: str, value: str) -> None:
    """What OTOBO's self-service change leaves: epoch seconds in ``UserLastPwChangeTime``."""
    await sql(
        api,
        "DELETE FROM customer_preferences"
        " WHERE user_id = :l AND preferences_key = 'UserLastPwChangeTime'",
        {"l": login},
    )
    await sql(
        api,
        "INSERT INTO customer_preferences (user_id, preferences_key, preferences_value)"
        " VALUES (:l, 'UserLastPwChangeTime', :v)",
        {"l": login, "v": value},
    )


# ---- the rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", list(RULES))
async def test_each_rule_refuses_with_its_own_code_on_create(
    policy_api: PolicyApi, rule: str
) -> None:
    api = await policy_api(rule)
    _, refused, accepted, code = RULES[rule]
    cid = await new_customer(api)
    payload = await create_refused(api, user_input(cid, password=refused))
    assert errors(payload) == [(code, ["input", "password"])]
    login = await new_login(api, accepted)
    assert verify_password(await stored_hash(api, login), accepted)


@pytest.mark.parametrize("rule", list(RULES))
async def test_each_rule_refuses_with_its_own_code_on_set_password(
    policy_api: PolicyApi, rule: str
) -> None:
    api = await policy_api(rule)
    _, refused, accepted, code = RULES[rule]
    login = await new_login(api, None)
    before = await stored_hash(api, login)
    payload = await set_password(api, login, refused)
    assert errors(payload) == [(code, ["input", "password"])]
    assert payload["customerUser"] is None
    assert await stored_hash(api, login) == before
    payload = await set_password(api, login, accepted)
    assert payload["userErrors"] == []
    assert verify_password(await stored_hash(api, login), accepted)


async def test_every_broken_rule_is_reported_at_once(policy_api: PolicyApi) -> None:
    api = await policy_api("all")
    payload = await create_refused(api, user_input(await new_customer(api), password=":"))
    assert errors(payload) == [
        ("PASSWORD_PATTERN_MISMATCH", ["input", "password"]),
        ("PASSWORD_TOO_SHORT", ["input", "password"]),
        ("PASSWORD_NEEDS_UPPER_AND_LOWER", ["input", "password"]),
        ("PASSWORD_NEEDS_DIGIT", ["input", "password"]),
        ("PASSWORD_NEEDS_LETTERS", ["input", "password"]),
        ("PASSWORD_NEEDS_3_OF_4_CLASSES", ["input", "password"]),
    ]
    # … beside the other problems of the same input
    data = user_input(await new_customer(api), password="short", email="not-an-address")
    payload = await create_refused(api, data)
    found = [code for code, _ in errors(payload)]
    assert "INVALID_EMAIL" in found
    assert "PASSWORD_TOO_SHORT" in found


async def test_a_too_long_password_gets_only_that_problem(policy_api: PolicyApi) -> None:
    api = await policy_api("all")
    payload = await create_refused(api, user_input(await new_customer(api), password=":" * 1025))
    assert errors(payload) == [("TOO_LONG", ["input", "password"])]


@pytest.mark.parametrize("where", ["create", "set_password"])
async def test_a_generated_password_passes_the_policy(policy_api: PolicyApi, where: str) -> None:
    api = await policy_api("all")
    policy = api.storage.config.passwords.policy()
    if where == "create":
        payload = await create(api, user_input(await new_customer(api)))
    else:
        payload = await set_password(api, await new_login(api, GOOD[0]))
    assert payload["userErrors"] == []
    generated = payload["generatedPassword"]
    assert policy_problems(generated, policy) == []
    login = payload["customerUser"]["login"]
    assert verify_password(await stored_hash(api, login), generated)


# ---- the history --------------------------------------------------------------------------


async def test_the_current_and_recent_passwords_are_refused_older_ones_allowed(
    policy_api: PolicyApi,
) -> None:
    api = await policy_api("all")  # history = 2: the current one and the 2 before it
    login = await new_login(api, GOOD[0])
    reused = [("PASSWORD_REUSED", ["input", "password"])]
    assert errors(await set_password(api, login, GOOD[0])) == reused  # the current one
    for password in GOOD[1:3]:
        assert (await set_password(api, login, password))["userErrors"] == []
    # now GOOD[2] (current), GOOD[1], GOOD[0]: all refused, nothing changes
    before = await stored_hash(api, login)
    for password in GOOD[:3]:
        assert errors(await set_password(api, login, password)) == reused
    assert await stored_hash(api, login) == before
    assert (await set_password(api, login, GOOD[3]))["userErrors"] == []
    # GOOD[0] is now 3 changes back, older than the history: allowed again
    assert (await set_password(api, login, GOOD[0]))["userErrors"] == []
    assert verify_password(await stored_hash(api, login), GOOD[0])
    assert len(await history_rows(api, login)) == 3


async def test_a_policy_problem_is_reported_without_checking_the_history(
    policy_api: PolicyApi,
) -> None:
    api = await policy_api("all")
    login = await new_login(api, GOOD[0])
    assert errors(await set_password(api, login, "pass-word-1a")) == [
        ("PASSWORD_NEEDS_UPPER_AND_LOWER", ["input", "password"])
    ]


async def test_history_entries_are_salted(policy_api: PolicyApi) -> None:
    api = await policy_api("all")
    first = await new_login(api, GOOD[0])
    second = await new_login(api, GOOD[0])
    [a] = await history_rows(api, first)
    [b] = await history_rows(api, second)
    assert a != b
    unsalted = {
        hashlib.md5(GOOD[0].encode()).hexdigest(),  # noqa: S324 - OTOBO's UserLastPw
        hashlib.sha256(GOOD[0].encode()).hexdigest(),
    }
    assert not {a, b} & unsalted
    assert GOOD[0] not in a + b
    assert verify_password(a, GOOD[0])
    assert verify_password(b, GOOD[0])
    assert a != await stored_hash(api, first)


async def test_a_new_user_does_not_inherit_the_history_of_an_earlier_login(
    policy_api: PolicyApi,
) -> None:
    api = await policy_api("all")
    login = unique("reborn")
    await sql(
        api,
        "INSERT INTO roster_password_history (login, password_hash, created_at)"
        " VALUES (:l, 'stale', CURRENT_TIMESTAMP)",
        {"l": login},
    )
    data = user_input(await new_customer(api), login, password=GOOD[0])
    assert (await create(api, data))["userErrors"] == []
    assert len(await history_rows(api, login)) == 1
    assert "stale" not in await history_rows(api, login)


async def test_a_rename_carries_the_history(policy_api: PolicyApi) -> None:
    api = await policy_api("all")
    login = await new_login(api, GOOD[0])
    renamed = unique("renamed")
    assert (await update(api, login, newLogin=renamed))["userErrors"] == []
    assert len(await history_rows(api, renamed)) == 1
    assert errors(await set_password(api, renamed, GOOD[0])) == [
        ("PASSWORD_REUSED", ["input", "password"])
    ]


async def test_history_zero_keeps_nothing_and_refuses_nothing(policy_api: PolicyApi) -> None:
    api = await policy_api("history0")
    login = await new_login(api, GOOD[0])
    assert (await set_password(api, login, GOOD[0]))["userErrors"] == []
    assert await history_rows(api, login) == []


# ---- expiry -------------------------------------------------------------------------------


async def test_an_admin_created_user_must_change_the_password_at_first_sign_in(
    policy_api: PolicyApi,
) -> None:
    api = await policy_api("all")
    login = await new_login(api, GOOD[0])
    assert await change_time(api, login) is None
    payload = await sign_in(api, login, GOOD[0])
    assert payload["success"] is False
    assert payload["customerUser"] is None
    assert errors(payload) == [("PASSWORD_EXPIRED", None)]
    # a wrong password still answers INVALID_CREDENTIALS, not PASSWORD_EXPIRED
    assert errors(await sign_in(api, login, GOOD[1])) == [("INVALID_CREDENTIALS", None)]


async def test_an_expired_password_is_renewed_with_new_password(policy_api: PolicyApi) -> None:
    api = await policy_api("all")
    login = await new_login(api, GOOD[0])
    path = ["input", "newPassword"]
    refused = await sign_in(api, login, GOOD[0], new_password="short")
    assert refused["success"] is False
    assert errors(refused) == [
        ("PASSWORD_TOO_SHORT", path),
        ("PASSWORD_NEEDS_UPPER_AND_LOWER", path),
        ("PASSWORD_NEEDS_DIGIT", path),
        ("PASSWORD_NEEDS_3_OF_4_CLASSES", path),
    ]
    same = await sign_in(api, login, GOOD[0], new_password=GOOD[0])
    assert errors(same) == [("PASSWORD_REUSED", path)]
    assert verify_password(await stored_hash(api, login), GOOD[0])
    # a wrong current password never changes anything, whatever newPassword says
    wrong = await sign_in(api, login, GOOD[2], new_password=GOOD[1])
    assert errors(wrong) == [("INVALID_CREDENTIALS", None)]
    assert verify_password(await stored_hash(api, login), GOOD[0])

    before = time.time()
    renewed = await sign_in(api, login, GOOD[0], new_password=GOOD[1])
    assert renewed["userErrors"] == []
    assert renewed["success"] is True
    assert renewed["customerUser"] == {"login": login}
    stamp = await change_time(api, login)
    assert stamp is not None
    assert before - 2 <= int(stamp) <= time.time() + 2
    assert verify_password(await stored_hash(api, login), GOOD[1])
    assert (await sign_in(api, login, GOOD[1]))["success"] is True  # no longer expired
    assert errors(await sign_in(api, login, GOOD[0])) == [("INVALID_CREDENTIALS", None)]
    assert len(await history_rows(api, login)) == 2  # the renewal joined the history


async def test_a_renewal_may_not_reuse_a_recent_password(policy_api: PolicyApi) -> None:
    api = await policy_api("all")
    login = await new_login(api, GOOD[0])
    assert (await set_password(api, login, GOOD[1]))["userErrors"] == []
    payload = await sign_in(api, login, GOOD[1], new_password=GOOD[0])
    assert errors(payload) == [("PASSWORD_REUSED", ["input", "newPassword"])]
    assert await change_time(api, login) is None


@pytest.mark.parametrize(("days_ago", "expired"), [(29, False), (31, True)])
async def test_a_change_time_older_than_max_valid_days_expires(
    policy_api: PolicyApi, days_ago: int, expired: bool
) -> None:
    api = await policy_api("all")  # max_valid_days = 30
    login = await new_login(api, GOOD[0])
    await plant_change_time(api, login, str(int(time.time()) - days_ago * DAY))
    payload = await sign_in(api, login, GOOD[0])
    if expired:
        assert errors(payload) == [("PASSWORD_EXPIRED", None)]
    else:
        assert (payload["success"], payload["userErrors"]) == (True, [])


async def test_an_unreadable_change_time_counts_as_expired(policy_api: PolicyApi) -> None:
    api = await policy_api("all")
    login = await new_login(api, GOOD[0])
    await plant_change_time(api, login, "yesterday")
    assert errors(await sign_in(api, login, GOOD[0])) == [("PASSWORD_EXPIRED", None)]


async def test_an_admin_set_password_must_be_changed_again(policy_api: PolicyApi) -> None:
    api = await policy_api("all")
    login = await new_login(api, GOOD[0])
    assert (await sign_in(api, login, GOOD[0], new_password=GOOD[1]))["success"] is True
    assert await change_time(api, login) is not None
    assert (await set_password(api, login, GOOD[2]))["userErrors"] == []
    assert await change_time(api, login) is None  # deleted, as OTOBO's AdminCustomerUser
    assert errors(await sign_in(api, login, GOOD[2])) == [("PASSWORD_EXPIRED", None)]


async def test_without_max_valid_days_nothing_expires(policy_api: PolicyApi) -> None:
    api = await policy_api("need_digit")
    login = await new_login(api, "digit 1 inside")
    assert await change_time(api, login) is None
    payload = await sign_in(api, login, "digit 1 inside", new_password="ignored 2 anyway")
    assert (payload["success"], payload["userErrors"]) == (True, [])
    assert verify_password(await stored_hash(api, login), "digit 1 inside")  # newPassword unused


async def test_read_back_user_is_unchanged_by_a_refused_password(policy_api: PolicyApi) -> None:
    api = await policy_api("all")
    login = await new_login(api, GOOD[0])
    before = await get(api, login)
    await set_password(api, login, ":")
    assert await get(api, login) == before


async def test_an_ignored_new_password_is_never_stored_by_the_rehash(
    policy_api: PolicyApi,
) -> None:
    """Not expired, so newPassword is ignored; the weak stored hash is still replaced on sign-in,
    by a hash of the password that was checked, not of newPassword."""
    api = await policy_api("need_digit")
    login = await new_login(api, "digit 1 inside")
    weak = hashlib.sha256(b"digit 1 inside").hexdigest()  # OTOBO's default sha2
    await sql(api, "UPDATE customer_user SET pw = :p WHERE login = :l", {"p": weak, "l": login})
    payload = await sign_in(api, login, "digit 1 inside", new_password="unchecked 2")
    assert (payload["success"], payload["userErrors"]) == (True, [])
    rehashed = await stored_hash(api, login)
    assert rehashed is not None
    assert rehashed.startswith("BCRYPT:")
    assert verify_password(rehashed, "digit 1 inside")
    assert not verify_password(rehashed, "unchecked 2")


class _DirectoryLikeBackend:
    """An authentication backend whose passwords Roster does not set (as LDAP's): it accepts
    one login and password."""

    name = "directory"
    stores_passwords = False
    kind = "ldap"

    async def health(self) -> BackendHealth:
        return BackendHealth(BackendStatus.UP, 0.0, None)

    def __init__(self, login: str, password: str) -> None:
        self.login, self.password = login, password

    async def check(self, login: str, password: str) -> str | None:
        return login if (login, password) == (self.login, self.password) else None

    async def after_sign_in(self, login: str, password: str) -> None:
        """Nothing to rehash."""

    async def close(self) -> None:
        """Nothing to release."""


async def test_passwords_roster_does_not_set_never_expire(policy_api: PolicyApi) -> None:
    api = await policy_api("all")  # max_valid_days = 30
    login = await new_login(api, GOOD[0])
    assert errors(await sign_in(api, login, GOOD[0])) == [("PASSWORD_EXPIRED", None)]
    api.storage.customer_auth.insert(0, _DirectoryLikeBackend(login, "directory-secret"))
    try:
        payload = await sign_in(api, login, "directory-secret")
    finally:
        del api.storage.customer_auth[0]
    assert (payload["success"], payload["backend"], payload["userErrors"]) == (
        True,
        "directory",
        [],
    )


async def test_otobos_own_history_preferences_are_honoured(policy_api: PolicyApi) -> None:
    """On a database OTOBO shares, its self-service leaves UserLastPw (MD5 in 11.0, bcrypt
    later) and UserLastPw1 …; with history = 2, UserLastPw … UserLastPw2 count."""
    api = await policy_api("all")
    login = await new_login(api, GOOD[0])
    planted = {
        "UserLastPw": hashlib.md5(GOOD[1].encode()).hexdigest(),  # noqa: S324 - OTOBO's
        "UserLastPw1": bcrypt.hashpw(GOOD[2].encode(), bcrypt.gensalt(4, prefix=b"2a")).decode(),
        "UserLastPw3": hashlib.md5(GOOD[3].encode()).hexdigest(),  # noqa: S324 - too old
    }
    for key, value in planted.items():
        await sql(
            api,
            "INSERT INTO customer_preferences (user_id, preferences_key, preferences_value)"
            " VALUES (:l, :k, :v)",
            {"l": login, "k": key, "v": value},
        )
    reused = [("PASSWORD_REUSED", ["input", "password"])]
    assert errors(await set_password(api, login, GOOD[1])) == reused
    assert errors(await set_password(api, login, GOOD[2])) == reused
    assert (await set_password(api, login, GOOD[3]))["userErrors"] == []
