"""Sign-in limits through the API (issue 14): the lockout per login (``max_login_failed``,
timed or invalid-temporarily), the throttle per client, OTOBO's ``UserLoginFailed`` and
``UserLastLogin``, and that an unknown login answers exactly as a known one, on every database.

The 1,000-attempt tests send their sign-ins as aliases of one mutation (run one after the
other, as GraphQL runs mutations) in a few requests, at bcrypt cost 4.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.api_keys import Scope
from datasources.db.sign_in_attempts import SignInAttemptStore
from datasources.db.tables import customer_preferences, customer_user, roster_sign_in_attempt
from domain.lockout import login_subject
from resolvers.use_cases import sign_in_limits
from tests.api.test_customer_auth import PASSWORD, codes, sign_in
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_user_and_customer

WRONG = "Wrong-Horse-7"
BATCH = 250

MANY = (
    "mutation {{ {fields} }}",
    "a{n}: customerUserAuthenticate(input: {{login: {login}, password: {password}{extra}}})"
    " {{ success retryAt userErrors {{ code field }} }}",
)


async def limited(
    make_api: MakeApi, *, throttle: dict[str, int] | None = None, **limits: Any
) -> Api:
    """An app on a fresh database with ``[customer_auth.limits]`` (the throttle off unless
    given) and room for :data:`BATCH` aliases."""
    section = {**limits, "throttle": throttle or {"attempts": 0}}
    return await make_api(
        customer_auth={"limits": section},
        server={"statement_count_header": True, "max_aliases": BATCH, "max_tokens": 50 * BATCH},
    )


async def many(
    api: Api,
    attempts: list[tuple[str, str]],
    *,
    key: str = "admin",
    client_address: str | None = None,
) -> list[tuple[str | None, str | None]]:
    """Sign in with each (login, password), in order: (code or None on success, retryAt)."""
    extra = "" if client_address is None else f", clientAddress: {_quote(client_address)}"
    answers: list[tuple[str | None, str | None]] = []
    for start in range(0, len(attempts), BATCH):
        chunk = attempts[start : start + BATCH]
        fields = " ".join(
            MANY[1].format(n=i, login=_quote(login), password=_quote(password), extra=extra)
            for i, (login, password) in enumerate(chunk)
        )
        r = await api.gql(MANY[0].format(fields=fields), key=key)
        assert r.status == 200, r.body
        assert not r.errors, r.errors
        for i in range(len(chunk)):
            payload = r.data[f"a{i}"]
            code = codes(payload)[0] if payload["userErrors"] else None
            assert payload["success"] is (code is None)
            answers.append((code, payload["retryAt"]))
    return answers


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def preferences(api: Api, login: str) -> dict[str, str]:
    async with api.storage.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(
                customer_preferences.c.preferences_key, customer_preferences.c.preferences_value
            ).where(customer_preferences.c.user_id == login)
        )
        return {str(k): str(v) for k, v in rows}


async def valid_id(api: Api, login: str) -> int:
    async with api.storage.engine.connect() as conn:
        value = await conn.scalar(
            sa.select(customer_user.c.valid_id).where(customer_user.c.login == login)
        )
    assert value is not None
    return int(value)


async def sleep_until(retry_at: str) -> None:
    await asyncio.sleep(max(0.0, datetime.fromisoformat(retry_at).timestamp() - time.time()))


def move_clock_past(monkeypatch: pytest.MonkeyPatch, retry_at: str) -> None:
    """Let the limits' clock run past ``retry_at`` (a hold of minutes, without the wait)."""
    ahead = datetime.fromisoformat(retry_at).timestamp() - time.time() + 1
    monkeypatch.setattr(sign_in_limits, "clock", lambda: time.time() + ahead)


def code_list(answers: list[tuple[str | None, str | None]]) -> list[str | None]:
    return [code for code, _ in answers]


# ---- OTOBO's bookkeeping, always on --------------------------------------------------------


async def test_user_login_failed_counts_and_a_success_resets_it_and_notes_the_time(
    api: Api,
) -> None:
    login = await new_user_and_customer(api, password=PASSWORD)
    key = f"Bearer {(await api.storage.api_keys.create(unique('k-'), Scope.ADMIN))[0]}"
    for expected in ("1", "2", "3"):
        assert codes(await sign_in(api, login.upper(), WRONG, key=key)) == ["INVALID_CREDENTIALS"]
        assert (await preferences(api, login))["UserLoginFailed"] == expected
    before = int(time.time())
    assert (await sign_in(api, login, PASSWORD, key=key))["success"] is True
    stored = await preferences(api, login)
    assert stored["UserLoginFailed"] == "0"
    assert before <= int(stored["UserLastLogin"]) <= int(time.time())
    assert codes(await sign_in(api, login, WRONG, key=key)) == ["INVALID_CREDENTIALS"]
    assert (await preferences(api, login))["UserLoginFailed"] == "1"


async def test_an_unknown_login_writes_no_preference_and_otobo_values_are_read(api: Api) -> None:
    ghost = unique("ghost")
    assert codes(await sign_in(api, ghost, WRONG)) == ["INVALID_CREDENTIALS"]
    assert await preferences(api, ghost) == {}
    login = await new_user_and_customer(api, password=PASSWORD)
    await api.storage.preferences.set(login, {"UserLoginFailed": "41"})  # as OTOBO left it
    assert codes(await sign_in(api, login, WRONG)) == ["INVALID_CREDENTIALS"]
    assert (await preferences(api, login))["UserLoginFailed"] == "42"


async def test_default_limits_hold_no_login_back(api: Api) -> None:
    """``max_login_failed`` is 0 by default, as OTOBO's ``PasswordMaxLoginFailed``."""
    login = await new_user_and_customer(api, password=PASSWORD)
    key = f"Bearer {(await api.storage.api_keys.create(unique('k-'), Scope.ADMIN))[0]}"
    for _ in range(12):
        assert codes(await sign_in(api, login, WRONG, key=key)) == ["INVALID_CREDENTIALS"]
    assert (await sign_in(api, login, PASSWORD, key=key))["success"] is True


# ---- the lockout per login -------------------------------------------------------------------


async def test_a_thousand_wrong_passwords_lock_the_login_and_even_the_right_one_waits(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = await limited(make_api, max_login_failed=5, lock_minutes=10)
    login = await new_user_and_customer(api, password=PASSWORD)
    answers = await many(api, [(login, f"{WRONG}{i}") for i in range(1000)])
    assert code_list(answers) == ["INVALID_CREDENTIALS"] * 5 + ["LOCKED"] * 995
    assert all(retry is None for _, retry in answers[:5])
    retry_ats = {retry for _, retry in answers[5:]}
    assert len(retry_ats) == 1  # one hold, not stretched by the refused attempts
    (retry_at,) = retry_ats
    assert retry_at is not None
    assert 550 <= datetime.fromisoformat(retry_at).timestamp() - time.time() <= 600
    assert (await preferences(api, login))["UserLoginFailed"] == "5"  # the checked ones
    payload = await sign_in(api, login, PASSWORD)
    assert codes(payload) == ["LOCKED"]
    assert payload["userErrors"][0]["field"] is None
    assert await valid_id(api, login) == 1  # timed: the user itself is untouched
    move_clock_past(monkeypatch, retry_at)
    assert (await sign_in(api, login, PASSWORD))["success"] is True
    assert (await preferences(api, login))["UserLoginFailed"] == "0"
    # The count starts again from nothing: five more failures before the next hold.
    answers = await many(api, [(login, WRONG)] * 6)
    assert code_list(answers) == ["INVALID_CREDENTIALS"] * 5 + ["LOCKED"]


async def test_an_unknown_login_is_locked_exactly_like_a_known_one(make_api: MakeApi) -> None:
    api = await limited(make_api, max_login_failed=4, lock_minutes=10)
    known = await new_user_and_customer(api, password=PASSWORD)
    ghost = unique("ghost")
    seen = []
    for login in (known, ghost):
        answers = await many(api, [(login, WRONG)] * 8 + [(login, PASSWORD)])
        retry = [r for _, r in answers]
        seen.append((code_list(answers), [r is None for r in retry]))
        held = {datetime.fromisoformat(r).timestamp() - time.time() for r in retry if r}
        assert all(570 <= left <= 600 for left in held), held  # 600 s; room for a slow machine
    assert seen[0] == seen[1]
    assert seen[0][0] == ["INVALID_CREDENTIALS"] * 4 + ["LOCKED"] * 5
    # Another spelling of the same login shares its counter; another login does not.
    assert codes(await sign_in(api, f" {known.upper()} ", PASSWORD)) == ["LOCKED"]
    assert codes(await sign_in(api, ghost.upper(), WRONG)) == ["LOCKED"]
    other = await new_user_and_customer(api, password=PASSWORD)
    assert (await sign_in(api, other, PASSWORD))["success"] is True


async def test_a_success_before_the_limit_starts_the_count_again(make_api: MakeApi) -> None:
    api = await limited(make_api, max_login_failed=3)
    login = await new_user_and_customer(api, password=PASSWORD)
    attempts = [(login, WRONG), (login, WRONG), (login, PASSWORD)] * 4
    assert (
        code_list(await many(api, attempts))
        == ["INVALID_CREDENTIALS"] * 2 + [None] + (["INVALID_CREDENTIALS"] * 2 + [None]) * 3
    )
    assert (await preferences(api, login))["UserLoginFailed"] == "0"


async def test_invalid_temporarily_sets_the_user_to_valid_id_3_as_otobo_does_for_agents(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = await limited(make_api, max_login_failed=3, lockout="invalid_temporarily")
    login = await new_user_and_customer(api, password=PASSWORD)
    ghost = unique("ghost")
    answers = await many(api, [(login, WRONG)] * 4)
    assert code_list(answers) == ["INVALID_CREDENTIALS"] * 3 + ["LOCKED"]
    assert code_list(await many(api, [(ghost, WRONG)] * 4)) == code_list(answers)
    assert await valid_id(api, login) == 3
    r = await api.gql("query($l: String!) { customerUser(login: $l) { validity } }", {"l": login})
    assert r.data["customerUser"] == {"validity": "INVALID_TEMPORARILY"}
    async with api.storage.engine.connect() as conn:
        change_by = await conn.scalar(
            sa.select(customer_user.c.change_by).where(customer_user.c.login == login)
        )
    assert change_by == api.storage.config.database.agent_id  # the configured agent wrote it
    retry_at = answers[-1][1]
    assert retry_at is not None
    move_clock_past(monkeypatch, retry_at)
    # The hold is over, the user stays invalid: refused like any wrong password (and like the
    # unknown login), until an admin sets it valid again.
    assert codes(await sign_in(api, login, PASSWORD)) == ["INVALID_CREDENTIALS"]
    assert codes(await sign_in(api, ghost, PASSWORD)) == ["INVALID_CREDENTIALS"]
    update = (
        "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
        " userErrors { code } } }"
    )
    r = await api.gql(update, {"i": {"login": login, "validity": "VALID"}})
    assert r.data["customerUserUpdate"]["userErrors"] == [], r.body
    assert (await sign_in(api, login, PASSWORD))["success"] is True


# ---- the throttle per client -----------------------------------------------------------------


async def test_a_spray_over_a_thousand_logins_from_one_client_is_throttled(
    make_api: MakeApi,
) -> None:
    api = await limited(make_api, throttle={"attempts": 20, "window_seconds": 60})
    await new_user_and_customer(api, password=PASSWORD)
    sprayer = f"Bearer {(await api.storage.api_keys.create(unique('k-'), Scope.ADMIN))[0]}"
    started = time.time()
    answers = await many(
        api,
        [(unique("u"), PASSWORD) for _ in range(1000)],
        key=sprayer,
        client_address="198.51.100.7",
    )
    assert code_list(answers) == ["INVALID_CREDENTIALS"] * 20 + ["TOO_MANY_ATTEMPTS"] * 980
    retry_ats = {r for _, r in answers[20:]}
    assert len(retry_ats) == 1
    (retry_at,) = retry_ats
    assert retry_at is not None
    assert started + 59 <= datetime.fromisoformat(retry_at).timestamp() <= time.time() + 61
    # Another address behind the same key, and the same address through another key, are
    # other clients; an address in another IPv6 /64 too, one in the same /64 is not.
    other = await sign_in(api, unique("u"), PASSWORD, key=sprayer)
    assert codes(other) == ["INVALID_CREDENTIALS"]
    assert code_list(await many(api, [(unique("u"), WRONG)], client_address="198.51.100.7")) == [
        "INVALID_CREDENTIALS"
    ]
    v6 = await many(api, [(unique("u"), WRONG)] * 21, key=sprayer, client_address="2001:db8::1")
    assert code_list(v6)[-1] == "TOO_MANY_ATTEMPTS"
    same_64 = await many(api, [(unique("u"), WRONG)], key=sprayer, client_address="2001:db8::2")
    assert code_list(same_64) == ["TOO_MANY_ATTEMPTS"]
    next_64 = await many(api, [(unique("u"), WRONG)], key=sprayer, client_address="2001:db8:0:1::1")
    assert code_list(next_64) == ["INVALID_CREDENTIALS"]


async def test_successes_give_their_attempt_back(make_api: MakeApi) -> None:
    api = await limited(make_api, throttle={"attempts": 3, "window_seconds": 60})
    login = await new_user_and_customer(api, password=PASSWORD)
    answers = await many(api, [(login, WRONG), (login, PASSWORD)] * 10 + [(login, WRONG)] * 3)
    # Without the refund the third failure would already be the last one let through.
    expected = ["INVALID_CREDENTIALS", None] * 2 + ["INVALID_CREDENTIALS"]
    assert code_list(answers) == expected + ["TOO_MANY_ATTEMPTS"] * 18


async def test_a_throttled_window_ends(make_api: MakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    # A window of a minute and the limits' clock moved past it: a window of seconds could
    # end while the attempts are still being checked on a loaded machine.
    api = await limited(make_api, throttle={"attempts": 2, "window_seconds": 60})
    login = await new_user_and_customer(api, password=PASSWORD)
    answers = await many(api, [(login, WRONG)] * 3)
    assert code_list(answers) == ["INVALID_CREDENTIALS"] * 2 + ["TOO_MANY_ATTEMPTS"]
    assert code_list(await many(api, [(login, PASSWORD)])) == ["TOO_MANY_ATTEMPTS"]
    retry_at = answers[-1][1]
    assert retry_at is not None
    move_clock_past(monkeypatch, retry_at)
    assert code_list(await many(api, [(login, PASSWORD)])) == [None]


async def test_concurrent_attempts_get_exactly_the_allowed_number_through(
    make_api: MakeApi,
) -> None:
    """Counted before the password check, each in its turn: 60 requests at once, 25 pass."""
    api = await limited(make_api, throttle={"attempts": 25, "window_seconds": 60})
    results = await asyncio.gather(*(sign_in(api, unique("u"), WRONG) for _ in range(60)))
    found = sorted(code for payload in results for code in codes(payload))
    assert found == ["INVALID_CREDENTIALS"] * 25 + ["TOO_MANY_ATTEMPTS"] * 35


# ---- the table stays small -------------------------------------------------------------------


async def test_expired_counters_are_deleted_by_the_writes_themselves(make_api: MakeApi) -> None:
    api = await limited(make_api, max_login_failed=5, throttle={"attempts": 1000})
    now = int(time.time())
    old = [
        {
            "subject": login_subject(unique("old")),
            "window_start": now - 7200,
            "failures": 2,
            "locked_until": None,
            "expires_at": now - 3600,
        }
        for _ in range(300)
    ]
    async with api.storage.engine.begin() as conn:
        await conn.execute(roster_sign_in_attempt.insert(), old)
    await many(api, [(unique("u"), WRONG) for _ in range(70)])  # > SWEEP_EVERY writes
    async with api.storage.engine.connect() as conn:
        left = await conn.scalar(
            sa.select(sa.func.count()).where(roster_sign_in_attempt.c.expires_at < now)
        )
        live = await conn.scalar(sa.select(sa.func.count()).select_from(roster_sign_in_attempt))
    assert left == 0
    assert live == 71  # 70 logins and one client
    store = SignInAttemptStore(api.storage.engine)
    assert await store.sweep(now + 10**9) == 71
    assert await store.get_many([login_subject("x")]) == {}


async def test_invalid_temporarily_on_a_read_only_backend_is_the_timed_hold_only(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamp = "2020-01-02 03:04:05"
    otobo_sha2 = hashlib.sha256(PASSWORD.encode()).hexdigest()
    api = await make_api(
        before_open=[
            "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
            f" change_time, change_by) VALUES ('ro-co', 'RO', 1, '{stamp}', 1, '{stamp}', 1)",
            "INSERT INTO customer_user (login, email, customer_id, pw, first_name, last_name,"
            " valid_id, create_time, create_by, change_time, change_by) VALUES ('ro-user',"
            f" 'ro@acme.test', 'ro-co', '{otobo_sha2}', 'R', 'O', 1, '{stamp}', 1, '{stamp}', 1)",
        ],
        customer_user={"backends": [{"name": "CustomerUser", "read_only": True}]},
        customer_auth={
            "limits": {
                "max_login_failed": 2,
                "lockout": "invalid_temporarily",
                "throttle": {"attempts": 0},
            }
        },
    )
    answers = await many(api, [("ro-user", WRONG)] * 3)
    assert code_list(answers) == ["INVALID_CREDENTIALS"] * 2 + ["LOCKED"]
    assert await valid_id(api, "ro-user") == 1  # Roster may not write this backend
    retry_at = answers[-1][1]
    assert retry_at is not None
    move_clock_past(monkeypatch, retry_at)
    assert code_list(await many(api, [("ro-user", PASSWORD)])) == [None]
