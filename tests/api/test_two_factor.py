"""Two-factor sign-in (OTOBO's GoogleAuthenticator, issue 14) through the API, on every
database: a user with a secret needs the current code, a code is accepted once (past OTOBO), a
secret OTOBO wrote works, the admin's set and clear mutations, ``allow_empty_secret`` off, and
a two-factor failure that ends the sign-in without trying the next backend.

The server's clock is fixed (``resolvers.use_cases.two_factor.clock``), so the codes the tests
compute with ``domain.totp`` are the server's without a race at a window's turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.two_factor import LAST_COUNTER_KEY
from domain.totp import counter_at, decode_secret, token_for
from resolvers.use_cases import two_factor as two_factor_use_cases
from tests.api.groups_helpers import bulk_users
from tests.api.test_customer_auth import PASSWORD, codes, sign_in
from tests.checks import at_one_cost
from tests.conftest import Api, Databases, MakeApi, base_config, open_api, unique
from tests.factories import new_customer, new_user_and_customer

SECRET_KEY = "UserGoogleAuthenticatorSecretKey"
SECRET = "ABCABCABCABCABC2"  # OTOBO's own test value (CustomerPreferences.t)
T0 = 30 * 56_666_667 + 7.0  # 2023-11-14, seven seconds into a window
ENABLED = {"two_factor": {"enabled": True}}

SET = (
    "mutation($i: CustomerUserSetTwoFactorSecretInput!) { customerUserSetTwoFactorSecret("
    "input: $i) { customerUser { login } userErrors { field code message } } }"
)
HISTORY = (
    "query($l: String!) { customerUser(login: $l) { history(first: 100) { nodes { action } } } }"
)
CLEAR = (
    "mutation($i: CustomerUserClearTwoFactorSecretInput!) { customerUserClearTwoFactorSecret("
    "input: $i) { customerUser { login } userErrors { field code message } } }"
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fixed = Clock()
    monkeypatch.setattr(two_factor_use_cases, "clock", fixed)
    return fixed


@pytest.fixture(scope="module")
async def tf_api(api: Api, databases: Databases) -> AsyncIterator[Api]:
    """An app with two-factor enabled and OTOBO's other defaults, one per database kind."""
    url = await databases.create(api.kind)
    async with open_api(api.kind, base_config(url, customer_auth=ENABLED)) as built:
        yield built


def code(secret: str, now: float, windows_back: int = 0) -> str:
    key = decode_secret(secret)
    assert key is not None
    return token_for(key, counter_at(now) - windows_back)


async def set_secret(api: Api, login: str, secret: str, key: str | None = "admin") -> Any:
    r = await api.gql(SET, {"i": {"login": login, "secret": secret}}, key=key)
    return r.data["customerUserSetTwoFactorSecret"] if r.status == 200 and not r.errors else r


async def clear_secret(api: Api, login: str) -> Any:
    return (await api.gql(CLEAR, {"i": {"login": login}})).data["customerUserClearTwoFactorSecret"]


async def preferences(api: Api, login: str) -> dict[str, str]:
    async with api.storage.engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT preferences_key, preferences_value FROM customer_preferences "
                "WHERE user_id = :l"
            ),
            {"l": login},
        )
        return {str(k): str(v) for k, v in rows}


async def otobo_writes_secret(api: Api, login: str, secret: str) -> None:
    """What OTOBO's ``SetPreferences`` does: delete the key's rows, insert the value."""
    async with api.storage.engine.begin() as conn:
        params = {"l": login, "k": SECRET_KEY, "v": secret}
        await conn.execute(
            sa.text("DELETE FROM customer_preferences WHERE user_id = :l AND preferences_key = :k"),
            params,
        )
        await conn.execute(
            sa.text(
                "INSERT INTO customer_preferences (user_id, preferences_key, preferences_value) "
                "VALUES (:l, :k, :v)"
            ),
            params,
        )


def otp_required(payload: Any) -> bool:
    return (
        payload["success"] is False
        and payload["customerUser"] is None
        and payload["backend"] is None
        and [(e["code"], e["field"]) for e in payload["userErrors"]]
        == [("OTP_REQUIRED", ["input", "otp"])]
    )


def signed_in(payload: Any, login: str) -> bool:
    return payload["success"] is True and payload["customerUser"] == {"login": login}


async def test_a_user_with_a_secret_needs_the_current_code(tf_api: Api, clock: Clock) -> None:
    login = await new_user_and_customer(tf_api, password=PASSWORD)
    assert signed_in(await sign_in(tf_api, login, PASSWORD), login)  # no secret: password only
    assert (await set_secret(tf_api, login, SECRET))["userErrors"] == []
    right = code(SECRET, clock.now)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for otp in (None, "", wrong, right + " ", " " + right, right[:5], "0"):
        assert otp_required(await sign_in(tf_api, login, PASSWORD, otp=otp)), otp
    # the password is checked first: a wrong one with the right code is a wrong password
    bad = await sign_in(tf_api, login, "Wrong-Horse-7", otp=right)
    assert codes(bad) == ["INVALID_CREDENTIALS"]
    assert signed_in(await sign_in(tf_api, login, PASSWORD, otp=right), login)


async def test_a_code_is_accepted_once(tf_api: Api, clock: Clock) -> None:
    login = await new_user_and_customer(tf_api, password=PASSWORD)
    await set_secret(tf_api, login, SECRET)
    first = code(SECRET, clock.now)
    assert signed_in(await sign_in(tf_api, login, PASSWORD, otp=first), login)
    assert otp_required(await sign_in(tf_api, login, PASSWORD, otp=first))  # OTOBO lets it in
    clock.now += 30  # next window: its code works once; the old one, "previous", no longer
    second = code(SECRET, clock.now)
    assert otp_required(await sign_in(tf_api, login, PASSWORD, otp=first))
    assert signed_in(await sign_in(tf_api, login, PASSWORD, otp=second), login)
    assert otp_required(await sign_in(tf_api, login, PASSWORD, otp=second))
    assert (await preferences(tf_api, login))[LAST_COUNTER_KEY] == str(counter_at(clock.now))


async def test_the_previous_windows_code_works_until_a_later_one_was_used(
    tf_api: Api, clock: Clock
) -> None:
    login = await new_user_and_customer(tf_api, password=PASSWORD)
    await set_secret(tf_api, login, SECRET)
    typed = code(SECRET, clock.now)
    clock.now += 30  # the window turned while the user typed
    assert signed_in(await sign_in(tf_api, login, PASSWORD, otp=typed), login)
    assert signed_in(await sign_in(tf_api, login, PASSWORD, otp=code(SECRET, clock.now)), login)
    clock.now += 30  # two windows old: never
    assert otp_required(await sign_in(tf_api, login, PASSWORD, otp=typed))
    assert otp_required(await sign_in(tf_api, login, PASSWORD, otp=code(SECRET, clock.now, 2)))
    # a next window's code is never accepted
    other = await new_user_and_customer(tf_api, password=PASSWORD)
    await set_secret(tf_api, other, SECRET)
    assert otp_required(await sign_in(tf_api, other, PASSWORD, otp=code(SECRET, clock.now + 30)))


async def test_concurrent_sign_ins_with_one_code_let_one_through(tf_api: Api, clock: Clock) -> None:
    login = await new_user_and_customer(tf_api, password=PASSWORD)
    await set_secret(tf_api, login, SECRET)
    otp = code(SECRET, clock.now)
    results = await asyncio.gather(*(sign_in(tf_api, login, PASSWORD, otp=otp) for _ in range(4)))
    assert sorted(r["success"] for r in results) == [False, False, False, True]
    assert sum(otp_required(r) for r in results) == 3


async def test_a_secret_otobo_wrote_works(tf_api: Api, clock: Clock) -> None:
    login = await new_user_and_customer(tf_api, password=PASSWORD)
    await otobo_writes_secret(tf_api, login, SECRET)
    assert otp_required(await sign_in(tf_api, login, PASSWORD))
    assert signed_in(await sign_in(tf_api, login, PASSWORD, otp=code(SECRET, clock.now)), login)
    # OTOBO's decoding: lower case and spaces in a stored secret give the same codes
    clock.now += 30
    await otobo_writes_secret(tf_api, login, "abca bcab cabc abc2")
    assert signed_in(await sign_in(tf_api, login, PASSWORD, otp=code(SECRET, clock.now)), login)
    # Perl's truth: an empty or "0" secret is no secret (allow_empty_secret is on)
    for nothing in ("", "0"):
        await otobo_writes_secret(tf_api, login, nothing)
        assert signed_in(await sign_in(tf_api, login, PASSWORD), login)


async def test_set_and_clear_the_secret(tf_api: Api, clock: Clock) -> None:
    login = await new_user_and_customer(tf_api, password=PASSWORD)
    payload = await set_secret(tf_api, login.upper(), "abca bcab cabc abc2")
    assert payload == {"customerUser": {"login": login}, "userErrors": []}
    assert (await preferences(tf_api, login))[SECRET_KEY] == SECRET  # as OTOBO's regex wants
    assert otp_required(await sign_in(tf_api, login, PASSWORD))
    long_secret = "A" * 16 + "B" * 16
    assert (await set_secret(tf_api, login, long_secret))["userErrors"] == []
    assert otp_required(await sign_in(tf_api, login, PASSWORD, otp=code(SECRET, clock.now)))
    otp = code(long_secret, clock.now)
    assert signed_in(await sign_in(tf_api, login, PASSWORD, otp=otp), login)
    cleared = await clear_secret(tf_api, login)
    assert cleared == {"customerUser": {"login": login}, "userErrors": []}
    assert SECRET_KEY not in await preferences(tf_api, login)
    assert LAST_COUNTER_KEY not in await preferences(tf_api, login)
    assert signed_in(await sign_in(tf_api, login, PASSWORD), login)
    history = await tf_api.data(HISTORY, {"l": login})
    # Idempotent: clearing no secret succeeds, and is no change (no event, as any no-op).
    assert (await clear_secret(tf_api, login))["userErrors"] == []
    assert await tf_api.data(HISTORY, {"l": login}) == history
    # a new secret's first code works at once, even in the window a code was used before
    assert (await set_secret(tf_api, login, long_secret))["userErrors"] == []
    assert signed_in(await sign_in(tf_api, login, PASSWORD, otp=otp), login)


async def test_bad_secrets_unknown_users_and_read_keys_are_refused(tf_api: Api) -> None:
    login = await new_user_and_customer(tf_api, password=PASSWORD)
    for bad, problem in [
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        ("A" * 15, "INVALID"),
        ("A" * 17, "INVALID"),
        ("A" * 33, "INVALID"),
        ("ABCABCABCABCABC1", "INVALID"),  # 1 is no base32 digit
        ("ABCABCABCABCABC=", "INVALID"),
        ("ÄBCABCABCABCABC2", "INVALID"),
        ("ABCABCABCABCABC\x002", "INVALID"),
        ("A" * 100_000, "INVALID"),
    ]:
        payload = await set_secret(tf_api, login, bad)
        assert payload["customerUser"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            (problem, ["input", "secret"])
        ], bad
    assert await preferences(tf_api, login) == {}
    ghost = unique("ghost")
    for payload in (await set_secret(tf_api, ghost, SECRET), await clear_secret(tf_api, ghost)):
        assert payload["customerUser"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("UNKNOWN_CUSTOMER_USER", ["input", "login"])
        ]
    assert await preferences(tf_api, ghost) == {}
    refused = await set_secret(tf_api, login, SECRET, key="read")
    assert refused.error_codes == ["FORBIDDEN"]
    r = await tf_api.gql(CLEAR, {"i": {"login": login}}, key="read")
    assert r.error_codes == ["FORBIDDEN"]
    assert await preferences(tf_api, login) == {}


async def test_the_secret_is_never_answered(tf_api: Api, clock: Clock) -> None:
    login = await new_user_and_customer(tf_api, password=PASSWORD)
    await set_secret(tf_api, login, SECRET)
    bodies = [
        await tf_api.gql(SET, {"i": {"login": login, "secret": SECRET}}),
        await tf_api.gql(
            "query($l: String!) { customerUser(login: $l) { __typename login } }", {"l": login}
        ),
        await tf_api.gql(
            "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i)"
            " { success userErrors { message } } }",
            {"i": {"login": login, "password": PASSWORD}},
        ),
    ]
    for r in bodies:
        assert SECRET not in str(r.body)
    # no output field could carry a secret out: the only ones naming it are the mutations
    types = (await tf_api.data("{ __schema { types { name fields { name } } } }"))["__schema"]
    named = sorted(
        f"{t['name']}.{f['name']}"
        for t in types["types"]
        for f in t["fields"] or []
        if "secret" in f["name"].lower()
    )
    assert named == [
        "Mutation.customerUserClearTwoFactorSecret",
        "Mutation.customerUserSetTwoFactorSecret",
    ]


async def test_with_two_factor_off_a_secret_is_ignored(api: Api, clock: Clock) -> None:
    login = await new_user_and_customer(api, password=PASSWORD)  # default config: off
    assert (await set_secret(api, login, SECRET))["userErrors"] == []
    assert signed_in(await sign_in(api, login, PASSWORD), login)
    assert (await clear_secret(api, login))["userErrors"] == []


async def test_without_allow_empty_secret_a_user_needs_a_secret(
    make_api: MakeApi, clock: Clock
) -> None:
    key = "RosterTestSecret"
    api = await make_api(
        customer_auth={
            "two_factor": {
                "enabled": True,
                "allow_empty_secret": False,
                "allow_previous_token": False,
                "secret_preference_key": key,
            }
        }
    )
    login = await new_user_and_customer(api, password=PASSWORD)
    for otp in (None, "123456"):
        payload = await sign_in(api, login, PASSWORD, otp=otp)
        assert otp_required(payload)
        assert "no two-factor secret" in payload["userErrors"][0]["message"]
    await otobo_writes_secret(api, login, SECRET)  # under OTOBO's key, not the configured one
    assert otp_required(await sign_in(api, login, PASSWORD, otp=code(SECRET, clock.now)))
    assert (await set_secret(api, login, SECRET))["userErrors"] == []
    assert (await preferences(api, login))[key] == SECRET
    typed = code(SECRET, clock.now)
    clock.now += 30  # allow_previous_token off: the previous window's code is refused
    assert otp_required(await sign_in(api, login, PASSWORD, otp=typed))
    assert signed_in(await sign_in(api, login, PASSWORD, otp=code(SECRET, clock.now)), login)
    assert (await clear_secret(api, login))["userErrors"] == []
    assert otp_required(await sign_in(api, login, PASSWORD))


async def test_a_two_factor_failure_does_not_try_the_next_backend(
    make_api: MakeApi, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = await make_api(
        customer_auth={
            "backends": [{"name": "db"}, {"name": "db2"}],
            "two_factor": {"enabled": True},
        }
    )
    first, second = api.storage.customer_auth
    tried: list[str] = []
    real_check = second.check

    async def counted(login: str, password: str) -> str | None:
        tried.append(login)
        return await real_check(login, password)

    monkeypatch.setattr(second, "check", counted)
    login = await new_user_and_customer(api, password=PASSWORD)
    await set_secret(api, login, SECRET)
    assert otp_required(await sign_in(api, login, PASSWORD, otp="000000"))
    assert otp_required(await sign_in(api, login, PASSWORD))
    assert tried == []  # the first backend accepted; the code failing ended the sign-in
    ok = await sign_in(api, login, PASSWORD, otp=code(SECRET, clock.now))
    assert (ok["success"], ok["backend"], tried) == (True, "db", [])
    # the control: a password the first backend refuses is tried on the second
    assert codes(await sign_in(api, login, "Wrong-Horse-7", otp="000000")) == [
        "INVALID_CREDENTIALS"
    ]
    assert tried == [login]
    assert first.name == "db"


ENABLED_FLAG = "query($l: String!) { customerUser(login: $l) { login twoFactorEnabled } }"
PAGE = (
    "query($f: Int!, $s: String) { customerUsers(first: $f, login: $s) "
    "{ nodes { login twoFactorEnabled } } }"
)


async def test_two_factor_enabled_says_whether_a_user_has_a_secret(tf_api: Api) -> None:
    login = await new_user_and_customer(tf_api, password=PASSWORD)

    async def flag() -> bool:
        user = (await tf_api.data(ENABLED_FLAG, {"l": login}))["customerUser"]
        return bool(user["twoFactorEnabled"])

    assert await flag() is False
    await set_secret(tf_api, login, SECRET)
    assert await flag() is True
    await clear_secret(tf_api, login)
    assert await flag() is False
    await otobo_writes_secret(tf_api, login, SECRET)
    assert await flag() is True
    await otobo_writes_secret(tf_api, login, "0")  # Perl's truth: no secret
    assert await flag() is False
    # in one request: the mutation's payload and a later field see the write
    both = await tf_api.data(
        "mutation($i: CustomerUserSetTwoFactorSecretInput!, $l: String!) {"
        " s: customerUserSetTwoFactorSecret(input: $i) { customerUser { twoFactorEnabled } }"
        " c: customerUserClearTwoFactorSecret(input: {login: $l})"
        " { customerUser { twoFactorEnabled } } }",
        {"i": {"login": login, "secret": SECRET}, "l": login},
    )
    assert both["s"]["customerUser"] == {"twoFactorEnabled": True}
    assert both["c"]["customerUser"] == {"twoFactorEnabled": False}


async def test_a_page_reads_the_flag_in_one_statement(make_api: MakeApi) -> None:
    api = await make_api()
    prefix = unique("tf")
    customer = await new_customer(api)
    logins = await bulk_users(api, [customer], 45, prefix)
    for login in logins[::3]:
        await otobo_writes_secret(api, login, SECRET)
    small, large = await at_one_cost(api, PAGE, {"f": 5, "s": prefix}, {"f": 40, "s": prefix})
    nodes = large.data["customerUsers"]["nodes"]
    assert len(small.data["customerUsers"]["nodes"]) == 5
    assert [n["twoFactorEnabled"] for n in nodes] == [i % 3 == 0 for i in range(40)]
    without = await api.gql(
        "query($f: Int!, $s: String) { customerUsers(first: $f, login: $s) { nodes { login } } }",
        {"f": 40, "s": prefix},
    )
    assert large.statements == without.statements + 1
