"""The ``ldap`` customer authentication backend (OTOBO's ``Customer::AuthModule::LDAP``)
through ``customerUserAuthenticate``, against a real slapd (``auth_directory``).

The app's ``[[customer_auth.backends]]`` are an LDAP backend first and the ``db`` backend
second; the customer users themselves are database rows (the LDAP backend checks passwords
only; sign-in looks the returned login up in the customer-user backends). Each LDAP user's
row has a database password of its own (``DB_PASSWORD``), so which backend accepted shows.
Variants of the LDAP backend (group, suffix, filter, TLS) are swapped in for one test.

The first part runs on every database kind; the faults (server stopped, frozen, TLS refused,
this process standing still) on SQLite only, with short timeouts: the database plays no part,
and they wait out real timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from datasources.ldap.customer_auth import NOBODY_RDN, LdapAuthBackend
from domain.config.ldap_auth import LdapAuthBackendConfig
from tests.api.test_customer_auth import auth_key, codes, refused, sign_in
from tests.conftest import DB_KINDS, Api, Databases, base_config, open_api, unique
from tests.factories import new_user_and_customer
from tests.ldap.auth_directory import (
    ALICE,
    BOB,
    CARL,
    META,
    META_UID,
    PORTAL_DN_GROUP,
    PORTAL_GROUP,
    SAM,
    SUFFIX,
    TWINS,
    AuthSlapd,
)
from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import BASE_DN, READER_DN, Slapd, restoring, serving
from tests.ldap.fault_helpers import (
    FAST,
    LOOP_GAP,
    PROMPT,
    TIMEOUT,
    ldap_calls,
    listing,
    loop_watch,
    standing_still,
)
from tests.ldap.helpers import LDAP as DIRECTORY
from tests.timing import no_collection

LDAP = "ldap-directory"
DB_PASSWORD = "Db-Password-9"
NOBODY = f"{NOBODY_RDN},{BASE_DN}"


@pytest.fixture(scope="session")
def auth_slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthSlapd]:
    yield from serving(AuthSlapd(tmp_path_factory.mktemp("auth-slapd")))


@pytest.fixture
def auth_slapd_restored(auth_slapd: AuthSlapd) -> Iterator[AuthSlapd]:
    """The session's auth slapd, for a test that stops or freezes it: running afterwards."""
    yield from restoring(auth_slapd)


async def add_directory_users(api: Api) -> None:
    """The customer users whose passwords the directory checks, as database rows."""
    for account in (ALICE, BOB, CARL, SAM, META, TWINS[0]):
        await new_user_and_customer(api, account.uid, password=DB_PASSWORD)


@pytest.fixture(scope="session", params=DB_KINDS)
async def auth_api(
    request: pytest.FixtureRequest, databases: Databases, auth_slapd: AuthSlapd
) -> AsyncIterator[Api]:
    """An app whose sign-in asks the directory first, then the database."""
    url = await databases.create(request.param)
    backends = [auth_slapd.auth_backend(), {"module": "db"}]
    async with open_api(
        request.param, base_config(url, customer_auth={"backends": backends})
    ) as api:
        await add_directory_users(api)
        yield api


@contextlib.asynccontextmanager
async def ldap_first(api: Api, slapd: AuthSlapd, **overrides: Any) -> AsyncIterator[None]:
    """For the block: an LDAP backend configured with ``overrides`` in front of ``db``."""
    config = LdapAuthBackendConfig.model_validate(slapd.auth_backend(**overrides))
    backend = LdapAuthBackend(config)
    saved = list(api.storage.customer_auth)
    api.storage.customer_auth[:] = [backend, *(b for b in saved if b.name == "db")]
    try:
        yield
    finally:
        api.storage.customer_auth[:] = saved
        await backend.close()


def accepted_by(payload: Any, backend: str, login: str) -> bool:
    return bool(
        payload
        == {
            "success": True,
            "backend": backend,
            "customerUser": {"login": login},
            "userErrors": [],
        }
    )


async def bound_since(slapd: AuthSlapd, since: int, count: int = 1) -> list[str]:
    """The DNs bound since the ``since``-th bind (the search user's left out), once at least
    ``count`` of them are in the log (slapd writes it from its own threads)."""
    deadline = time.monotonic() + 10  # returns as soon as they are there
    while True:
        binds = [dn for dn in slapd.binds()[since:] if dn != READER_DN]
        if len(binds) >= count or time.monotonic() > deadline:
            return binds
        await asyncio.sleep(0.02)


# ---- signing in ------------------------------------------------------------------------------


async def test_a_directory_user_signs_in_with_the_directory_password(auth_api: Api) -> None:
    key = await auth_key(auth_api)
    assert accepted_by(await sign_in(auth_api, ALICE.uid, ALICE.password, key=key), LDAP, "alice")
    assert accepted_by(await sign_in(auth_api, " alice  ", ALICE.password), LDAP, "alice")
    # uid matches ignoring case (caseIgnoreMatch), and so does the customer-user lookup.
    assert accepted_by(await sign_in(auth_api, "ALICE", ALICE.password), LDAP, "alice")
    # The directory refuses the database's password; the next backend, db, accepts it.
    assert accepted_by(await sign_in(auth_api, ALICE.uid, DB_PASSWORD), "db", "alice")
    db_only = await new_user_and_customer(auth_api, unique("dbu"), password=DB_PASSWORD)
    assert accepted_by(await sign_in(auth_api, db_only, DB_PASSWORD), "db", db_only)


async def test_a_wrong_password_an_unknown_and_an_ambiguous_login_are_refused_alike(
    auth_api: Api, auth_slapd: AuthSlapd
) -> None:
    ghost = unique("ghost")
    cases = [(ALICE.uid, "Wrong-Secret-1", ALICE.dn), (ghost, ALICE.password, NOBODY)]
    # twin has two entries: OTOBO would bind as the last one; Roster signs in neither.
    cases.append((TWINS[0].uid, TWINS[0].password, NOBODY))
    for login, password, bound in cases:
        since = len(auth_slapd.binds())
        assert refused(await sign_in(auth_api, login, password)), login
        # One bind with the password each time, as the user or as an entry that does not
        # exist: a refusal costs the same round trips whatever the reason.
        assert await bound_since(auth_slapd, since) == [bound], login


async def test_an_empty_password_is_refused_before_any_connection(
    auth_api: Api, auth_slapd: AuthSlapd
) -> None:
    connections, since = auth_slapd.connections(), len(auth_slapd.binds())
    assert refused(await sign_in(auth_api, ALICE.uid, ""))
    assert refused(await sign_in(auth_api, TWINS[0].uid, ""))
    # This server takes a DN with an empty password as an anonymous bind (allow bind_anon_dn):
    # a backend that sent it would have signed alice in. This bind is also the log's marker.
    whoami = await asyncio.create_subprocess_exec(
        "/usr/bin/ldapwhoami", "-x", "-H", auth_slapd.url, "-D", ALICE.dn, "-w", "",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    output, _ = await whoami.communicate()
    assert (whoami.returncode, output.decode().strip()) == (0, "anonymous")
    assert await bound_since(auth_slapd, since) == [ALICE.dn]  # ldapwhoami's, only
    assert auth_slapd.connections() == connections + 1

    # "0" is a password like any other (OTOBO, in Perl, refuses it as false), and so is
    # whitespace: both are sent, and wrong.
    for password in ("0", "   "):
        since = len(auth_slapd.binds())
        assert refused(await sign_in(auth_api, ALICE.uid, password))
        assert await bound_since(auth_slapd, since) == [ALICE.dn]


@pytest.mark.parametrize(
    "login",
    ["*", "*)(uid=*", "alice)(uid=*", "al*", "*ice", "\\", "alice\\", "(uid=alice)", "alice*"],
)
async def test_ldap_metacharacters_in_a_login_are_only_characters(
    auth_api: Api, auth_slapd: AuthSlapd, login: str
) -> None:
    since = len(auth_slapd.binds())
    assert refused(await sign_in(auth_api, login, ALICE.password))
    assert await bound_since(auth_slapd, since) == [
        NOBODY
    ]  # matched no entry: no one's DN was bound


async def test_a_login_made_of_metacharacters_signs_in_as_itself(auth_api: Api) -> None:
    assert accepted_by(await sign_in(auth_api, META_UID, META.password), LDAP, META_UID)
    assert refused(await sign_in(auth_api, "m*", META.password))
    assert refused(await sign_in(auth_api, META_UID[:-1], META.password))


async def test_a_nul_in_the_login_or_the_password_never_reaches_the_server(
    auth_slapd: AuthSlapd,
) -> None:
    """Below the API (which refuses a NUL login itself): the backend escapes a NUL as
    ``\\00`` and never cuts a password at one (libldap takes C strings)."""
    backend = LdapAuthBackend(LdapAuthBackendConfig.model_validate(auth_slapd.auth_backend()))
    try:
        assert await backend.check("alice\x00", ALICE.password) is None
        assert await backend.check("*\x00", ALICE.password) is None
        assert await backend.check("alice", ALICE.password + "\x00garbage") is None
        assert await backend.check("alice", "\ud800") is None  # no UTF-8 form
        assert await backend.check("alice", ALICE.password) == "alice"
    finally:
        await backend.close()


# ---- OTOBO's options -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "group",
    [
        {"group_dn": PORTAL_GROUP, "access_attr": "memberUid", "user_attr": "UID"},
        {"group_dn": PORTAL_DN_GROUP, "access_attr": "member"},  # user_attr "DN", OTOBO's default
    ],
    ids=["memberUid", "member-dn"],
)
async def test_only_group_members_sign_in_when_a_group_is_configured(
    auth_api: Api, auth_slapd: AuthSlapd, group: dict[str, str]
) -> None:
    assert accepted_by(await sign_in(auth_api, BOB.uid, BOB.password), LDAP, "bob")
    async with ldap_first(auth_api, auth_slapd, **group):
        assert accepted_by(await sign_in(auth_api, ALICE.uid, ALICE.password), LDAP, "alice")
        assert refused(await sign_in(auth_api, BOB.uid, BOB.password))  # right password
        assert refused(await sign_in(auth_api, ALICE.uid, BOB.password))


async def test_the_user_suffix_is_appended_and_signed_in_with(
    auth_api: Api, auth_slapd: AuthSlapd
) -> None:
    assert refused(await sign_in(auth_api, "sam", SAM.password))
    async with ldap_first(auth_api, auth_slapd, user_suffix=SUFFIX):
        assert accepted_by(await sign_in(auth_api, " sam ", SAM.password), LDAP, SAM.uid)
        assert refused(await sign_in(auth_api, "sam", "Wrong-Secret-1"))
        assert refused(await sign_in(auth_api, SAM.uid, SAM.password))  # the suffix twice
    # With user_attr "UID", the group lists the login with its suffix (memberUid).
    member_uid = {"group_dn": PORTAL_GROUP, "access_attr": "memberUid", "user_attr": "UID"}
    async with ldap_first(auth_api, auth_slapd, user_suffix=SUFFIX, **member_uid):
        assert accepted_by(await sign_in(auth_api, "sam", SAM.password), LDAP, SAM.uid)
        assert refused(await sign_in(auth_api, "alice", ALICE.password))  # alice@… is nobody


async def test_the_always_filter_narrows_who_may_sign_in(
    auth_api: Api, auth_slapd: AuthSlapd
) -> None:
    assert accepted_by(await sign_in(auth_api, CARL.uid, CARL.password), LDAP, "carl")
    async with ldap_first(auth_api, auth_slapd, always_filter="(!(description=blocked))"):
        assert refused(await sign_in(auth_api, CARL.uid, CARL.password))
        assert accepted_by(await sign_in(auth_api, ALICE.uid, ALICE.password), LDAP, "alice")


async def test_an_anonymous_first_bind_without_a_search_user(
    auth_api: Api, auth_slapd: AuthSlapd
) -> None:
    async with ldap_first(auth_api, auth_slapd, search_user_dn="", search_user_password=""):
        assert accepted_by(await sign_in(auth_api, ALICE.uid, ALICE.password), LDAP, "alice")
        assert refused(await sign_in(auth_api, ALICE.uid, "Wrong-Secret-1"))


# ---- TLS and faults (SQLite only) ----------------------------------------------------------


async def fault_app(make: MakeLdapApi, slapd: AuthSlapd, **overrides: Any) -> tuple[Api, str]:
    """An app with the LDAP backend (``FAST`` timeouts and breaker) before ``db``; alice as a
    database row, and a database-only user, whose login is returned."""
    backends = [slapd.auth_backend(**{**FAST, **overrides}), {"module": "db"}]
    api = await make([{"name": "CustomerUser"}], customer_auth={"backends": backends})
    await new_user_and_customer(api, ALICE.uid, password=DB_PASSWORD)
    return api, await new_user_and_customer(api, unique("dbu"), password=DB_PASSWORD)


async def timed_sign_in(api: Api, login: str, password: str) -> tuple[Any, float]:
    with no_collection():
        started = time.monotonic()
        payload = await sign_in(api, login, password)
        return payload, time.monotonic() - started


async def unavailable_without_asking(api: Api) -> bool:
    """Alice's sign-in is an outage, and the directory was not asked (the breaker is open)."""
    calls = await ldap_calls(api, LDAP)
    payload = await sign_in(api, ALICE.uid, ALICE.password)
    return unavailable(payload) and await ldap_calls(api, LDAP) == calls


def unavailable(payload: Any) -> bool:
    return payload["success"] is False and codes(payload) == ["BACKEND_UNAVAILABLE"]


@pytest.mark.parametrize("transport", ["ldaps", "starttls"])
@pytest.mark.parametrize("trusted", [True, False], ids=["our-ca", "other-ca"])
async def test_tls_with_a_ca_file(
    auth_slapd: AuthSlapd, make_sqlite_api: MakeLdapApi, transport: str, trusted: bool
) -> None:
    tls: dict[str, Any] = {"ca_file": auth_slapd.ca_file if trusted else auth_slapd.wrong_ca_file}
    if transport == "ldaps":
        tls["url"] = auth_slapd.ldaps_url
    else:
        tls["start_tls"] = True
    api, db_user = await fault_app(make_sqlite_api, auth_slapd, **tls)
    payload, elapsed = await timed_sign_in(api, ALICE.uid, ALICE.password)
    if trusted:
        assert accepted_by(payload, LDAP, "alice")
        assert refused(await sign_in(api, ALICE.uid, "Wrong-Secret-1"))
    else:
        assert unavailable(payload)  # a certificate of another CA: never bound with it
        assert elapsed < PROMPT
        assert accepted_by(await sign_in(api, db_user, DB_PASSWORD), "db", db_user)


async def test_a_search_user_the_server_refuses_is_an_outage(
    auth_slapd: AuthSlapd, make_sqlite_api: MakeLdapApi
) -> None:
    api, _ = await fault_app(make_sqlite_api, auth_slapd, search_user_password="wrong")
    assert unavailable(await sign_in(api, ALICE.uid, ALICE.password))


async def test_a_stopped_server_is_an_outage_within_the_timeout_and_db_users_sign_in(
    auth_slapd_restored: AuthSlapd, make_sqlite_api: MakeLdapApi, caplog: pytest.LogCaptureFixture
) -> None:
    slapd = auth_slapd_restored
    api, db_user = await fault_app(make_sqlite_api, slapd)
    assert accepted_by(await sign_in(api, ALICE.uid, ALICE.password), LDAP, "alice")

    slapd.stop()
    payload, elapsed = await timed_sign_in(api, ALICE.uid, ALICE.password)
    assert unavailable(payload)
    assert elapsed < PROMPT
    payload, elapsed = await timed_sign_in(api, db_user, DB_PASSWORD)  # the second failure
    assert accepted_by(payload, "db", db_user)
    assert elapsed < PROMPT
    # The breaker is open now: the directory is not asked.
    assert await unavailable_without_asking(api)
    # An empty password is still refused without asking anybody.
    assert refused(await sign_in(api, ALICE.uid, ""))

    slapd.start()
    await asyncio.sleep(FAST["breaker_reset_seconds"])
    assert accepted_by(await sign_in(api, ALICE.uid, ALICE.password), LDAP, "alice")
    assert "cannot connect" in caplog.text  # the outage is logged, the passwords are not
    assert ALICE.password not in caplog.text
    assert DB_PASSWORD not in caplog.text


async def test_a_frozen_server_answers_within_the_timeout(
    auth_slapd_restored: AuthSlapd, make_sqlite_api: MakeLdapApi
) -> None:
    slapd = auth_slapd_restored
    api, db_user = await fault_app(make_sqlite_api, slapd)
    assert accepted_by(await sign_in(api, ALICE.uid, ALICE.password), LDAP, "alice")

    slapd.pause()
    try:
        async with loop_watch() as gaps:
            payload, elapsed = await timed_sign_in(api, ALICE.uid, ALICE.password)  # pooled
        assert unavailable(payload)
        assert TIMEOUT * 0.9 < elapsed < PROMPT
        assert max(gaps) < LOOP_GAP, "the event loop was blocked while waiting for LDAP"
        payload, elapsed = await timed_sign_in(api, db_user, DB_PASSWORD)  # a new connection
        assert accepted_by(payload, "db", db_user)
        assert elapsed < PROMPT
        assert await unavailable_without_asking(api)  # the breaker is open
    finally:
        slapd.resume()
    await asyncio.sleep(FAST["breaker_reset_seconds"])
    assert accepted_by(await sign_in(api, ALICE.uid, ALICE.password), LDAP, "alice")


async def test_a_sign_in_while_the_process_stands_still_past_the_timeout(
    auth_slapd: AuthSlapd, make_sqlite_api: MakeLdapApi, caplog: pytest.LogCaptureFixture
) -> None:
    """A long garbage collection, a throttled CPU quota or a request that holds the event
    loop, while the directory answers at once: the customer signs in with the directory
    password. (With wall-clock timeouts it was refused as an outage, ``BACKEND_UNAVAILABLE``,
    a failure towards the breaker.) The process stands still as the entry's search is
    sent on the pooled connection, and as the bind's own connection is made."""
    api, _ = await fault_app(make_sqlite_api, auth_slapd)
    assert accepted_by(await sign_in(api, ALICE.uid, ALICE.password), LDAP, "alice")  # pooled
    for _ in range(2):  # two failures would open the breaker
        with standing_still(times=2) as stalls:
            payload = await sign_in(api, ALICE.uid, ALICE.password)
        assert len(stalls) == 2
        assert min(stalls) > TIMEOUT  # the process did stand still past the timeout
        assert accepted_by(payload, LDAP, "alice")
    with standing_still() as stalls:  # a wrong password is still a refusal, not an outage
        payload = await sign_in(api, ALICE.uid, "Wrong-Secret-1")
    assert len(stalls) == 1
    assert refused(payload)
    ready = (await api.client.get("/readyz")).json()
    assert [(b["name"], b["status"]) for b in ready["customer_auth_backends"]] == [
        (LDAP, "up"),
        ("db", "up"),
    ]
    assert "LDAP authentication backend" not in caplog.text, caplog.text  # no failure logged


async def test_a_customer_user_backend_whose_bind_is_refused_is_an_outage(
    slapd: Slapd, make_sqlite_api: MakeLdapApi
) -> None:
    """The pool both LDAP backends share: a refused bind on connect is ``BACKEND_UNAVAILABLE``
    (bonsai raised ``SystemError`` when the pool abandoned the finished open)."""
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**FAST, bind_password="wrong")])
    sources, reported, _ = await listing(api)
    assert (sources, reported) == (set(), [DIRECTORY])
