"""Customer sign-in through the API (issue 14, first slice): the ``db`` backend, the
``authenticate`` scope, rehash on login, and the bad input of the issue, on every database."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.api_keys import Scope
from datasources.db.customer_auth import DbAuthBackend
from datasources.db.engine import create_engine
from domain import passwords as passwords_module
from domain.config import DatabaseConfig, DbAuthBackendConfig
from domain.passwords import identify, verify
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_user_and_customer

SIGN_IN = (
    "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i) {"
    " success backend customerUser { login } userErrors { field code message } } }"
)
PASSWORD = "Correct-Horse-7"
TEN_MB = 10 * 1024 * 1024


async def sign_in(
    api: Api, login: str, password: str, *, key: str | None = "admin", otp: str | None = None
) -> Any:
    r = await api.gql(SIGN_IN, {"i": {"login": login, "password": password, "otp": otp}}, key=key)
    assert r.status == 200, r.body
    return r.data["customerUserAuthenticate"]


def codes(payload: Any) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def auth_key(api: Api) -> str:
    secret, _ = await api.storage.api_keys.create(unique("auth-"), Scope.AUTHENTICATE)
    return f"Bearer {secret}"


async def stored_pw(api: Api, login: str) -> str | None:
    async with api.storage.engine.connect() as conn:
        value = await conn.scalar(
            sa.text("SELECT pw FROM customer_user WHERE login = :l"), {"l": login}
        )
    return None if value is None else str(value)


async def set_pw(api: Api, login: str, value: str | None) -> None:
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE customer_user SET pw = :v WHERE login = :l"), {"v": value, "l": login}
        )


def refused(payload: Any) -> bool:
    return (
        payload["success"] is False
        and payload["backend"] is None
        and payload["customerUser"] is None
        and codes(payload) == ["INVALID_CREDENTIALS"]
        and payload["userErrors"][0]["field"] is None
    )


async def test_the_right_password_signs_in_with_an_authenticate_key(api: Api) -> None:
    login = await new_user_and_customer(api, password=PASSWORD)
    payload = await sign_in(api, login, PASSWORD, key=await auth_key(api))
    assert payload == {
        "success": True,
        "backend": "db",
        "customerUser": {"login": login},
        "userErrors": [],
    }
    assert (await sign_in(api, login, PASSWORD))["success"] is True  # admin may too


async def test_wrong_password_unknown_login_and_empty_input_answer_alike(api: Api) -> None:
    login = await new_user_and_customer(api, password=PASSWORD)
    key = await auth_key(api)
    for user, password in [
        (login, "Wrong-Horse-7"),
        (login, PASSWORD + " "),
        (unique("ghost"), PASSWORD),
        (login, ""),
        (login, "   "),
        (login, PASSWORD + "\x00"),
        ("", PASSWORD),
        ("   ", PASSWORD),
        (login + "\x00", PASSWORD),
        ("*)(uid=*", PASSWORD),
        ("\\", PASSWORD),
        ("x" * 500, PASSWORD),
    ]:
        assert refused(await sign_in(api, user, password, key=key)), (user, password)


async def test_login_is_trimmed_and_metacharacters_are_plain_text(api: Api) -> None:
    login = unique("a*)(uid=*\\")
    await new_user_and_customer(api, login, password=PASSWORD)
    assert (await sign_in(api, f"  {login} ", PASSWORD))["customerUser"] == {"login": login}
    assert refused(await sign_in(api, login[:-3] + "*", PASSWORD))


async def test_a_login_differing_in_case_signs_in_its_stored_spelling(api: Api) -> None:
    """Case-insensitive on every database (OTOBO's bound-as-typed login is case-insensitive
    only on MySQL), accents count; the stored spelling is what signs in, and what a weak
    hash is rehashed under."""
    login = unique("xMüller-")
    await new_user_and_customer(api, login, password=PASSWORD)
    otobo_sha2 = hashlib.sha256(PASSWORD.encode("utf-8")).hexdigest()
    await set_pw(api, login, otobo_sha2)
    for typed in (login.upper(), login.lower()):
        payload = await sign_in(api, typed, PASSWORD)
        assert (payload["success"], payload["customerUser"]) == (True, {"login": login}), typed
    rehashed = await stored_pw(api, login)
    assert rehashed is not None
    assert rehashed.startswith("BCRYPT:")
    assert refused(await sign_in(api, login.upper(), "Wrong-Horse-7"))
    upper = login.upper()
    accent_twins = (login.replace("ü", "u"), login.replace("ü", "ù"), upper.replace("Ü", "U"))
    for typed in accent_twins:
        assert refused(await sign_in(api, typed, PASSWORD)), typed


async def test_the_sign_in_read_and_rehash_find_the_login_through_an_index(api: Api) -> None:
    """The case-insensitive lookup must not scan the table on any database: on MariaDB it
    also asks ``login = …`` for the column's (case-insensitive) index, on PostgreSQL
    ``lower(login)`` has its own, on SQLite ``lower(login)`` is indexed too. (A scan was
    what a plain ``LOWER(login COLLATE …) = …`` did on MariaDB: 99,323 rows a sign-in in
    the benchmark's table.)"""
    login = await new_user_and_customer(api, password=PASSWORD)
    backend = api.storage.customer_auth[0]
    assert isinstance(backend, DbAuthBackend)
    engine = api.storage.engine
    statements = [
        (backend._read, {"login": login.lower()}),
        (backend._replace, {"b_login": login, "b_old": "x", "b_new": "y"}),
    ]
    explain = {"mariadb": "EXPLAIN ", "postgresql": "EXPLAIN ", "sqlite": "EXPLAIN QUERY PLAN "}
    async with engine.begin() as conn:
        if api.kind == "postgresql":
            await conn.execute(sa.text("SET LOCAL enable_seqscan = off"))  # a tiny table
        for statement, values in statements:
            compiled = statement.compile(dialect=engine.dialect)
            sql = explain[api.kind] + str(compiled)
            params = compiled.construct_params(values)
            positional = compiled.positiontup
            bound = tuple(params[name] for name in positional) if positional else params
            raw = await conn.exec_driver_sql(sql, bound)
            plan = " ".join(str(cell) for row in raw for cell in row)
            if api.kind == "mariadb":
                assert " ALL " not in f" {plan} ", plan
            elif api.kind == "postgresql":
                assert "Seq Scan" not in plan, plan
            else:
                assert "SCAN customer_user" not in plan, plan
        await conn.rollback()


async def test_case_twins_in_an_auth_table_sign_in_only_as_typed_exactly(api: Api) -> None:
    """An authentication table without Roster's case-insensitive unique index (OTOBO's own
    tables on PostgreSQL allow ``abc`` beside ``ABC``): the exact spelling signs its own row
    in; another case variant matches both rows and signs in nobody."""
    table = unique("auth_twins_").replace("-", "_")
    twin = unique("twin-")
    rows = [(twin, "Lower-Horse-7"), (twin.upper(), "Upper-Horse-7")]
    async with api.storage.engine.begin() as conn:
        await conn.execute(sa.text(f"CREATE TABLE {table} (login VARCHAR(191), pw VARCHAR(128))"))
        for login, password in rows:
            stored = hashlib.sha256(password.encode()).hexdigest()
            await conn.execute(
                sa.text(f"INSERT INTO {table} (login, pw) VALUES (:l, :p)"),
                {"l": login, "p": stored},
            )
    config = DbAuthBackendConfig(name="twins", table=table)
    backend = DbAuthBackend(config, api.storage.engine, api.storage.config.passwords)
    try:
        for login, password in rows:
            assert await backend.check(login, password) == login
            assert await backend.check(login, "Wrong-Horse-7") is None
        assert await backend.check(twin.upper(), "Lower-Horse-7") is None
        assert await backend.check(twin.title(), "Lower-Horse-7") is None
        assert await backend.check(twin.title(), "Upper-Horse-7") is None
    finally:
        async with api.storage.engine.begin() as conn:
            await conn.execute(sa.text(f"DROP TABLE {table}"))


@pytest.mark.parametrize("validity", ["INVALID", "INVALID_TEMPORARILY"])
async def test_an_invalid_user_is_refused_like_a_wrong_password(api: Api, validity: str) -> None:
    login = await new_user_and_customer(api, password=PASSWORD, validity=validity)
    assert refused(await sign_in(api, login, PASSWORD))
    assert refused(await sign_in(api, login, "Wrong-Horse-7"))


async def test_empty_or_null_stored_password_never_signs_in(api: Api) -> None:
    login = await new_user_and_customer(api, password=PASSWORD)
    for value in ("", None):
        await set_pw(api, login, value)
        assert refused(await sign_in(api, login, ""))
        assert refused(await sign_in(api, login, PASSWORD))


async def test_an_otobo_sha256_hash_is_replaced_by_bcrypt_on_sign_in(api: Api) -> None:
    login = await new_user_and_customer(api, password=PASSWORD)
    otobo_sha2 = hashlib.sha256(PASSWORD.encode("utf-8")).hexdigest()  # OTOBO's sha2 write
    await set_pw(api, login, otobo_sha2)
    assert refused(await sign_in(api, login, "Wrong-Horse-7"))
    assert await stored_pw(api, login) == otobo_sha2  # a failure rewrites nothing
    assert (await sign_in(api, login, PASSWORD))["success"] is True
    new = await stored_pw(api, login)
    assert new is not None
    assert new.startswith("BCRYPT:4:")
    assert verify(new, PASSWORD, login)
    assert not verify(new, "Wrong-Horse-7", login)
    assert (await sign_in(api, login, PASSWORD))["success"] is True
    assert await stored_pw(api, login) == new  # already the configured scheme: left alone


async def test_rehash_on_sign_in_can_be_turned_off(make_api: MakeApi) -> None:
    """For an OTOBO that cannot verify bcrypt: its sha2 hashes stay as OTOBO wrote them."""
    api = await make_api(passwords={"rehash_on_sign_in": False})
    login = await new_user_and_customer(api, password=PASSWORD)
    otobo_sha2 = hashlib.sha256(PASSWORD.encode("utf-8")).hexdigest()
    await set_pw(api, login, otobo_sha2)
    assert (await sign_in(api, login, PASSWORD))["success"] is True
    assert await stored_pw(api, login) == otobo_sha2


async def test_a_read_key_may_not_sign_in(api: Api) -> None:
    login = await new_user_and_customer(api, password=PASSWORD)
    r = await api.gql(SIGN_IN, {"i": {"login": login, "password": PASSWORD}}, key="read")
    assert r.error_codes == ["FORBIDDEN"]
    assert r.body["data"] is None


@pytest.mark.parametrize(
    "query",
    [
        "{ customerUsers(first: 1) { edges { node { login } } } }",
        "{ __typename }",
        "{ __schema { types { name } } }",
        'query { node(id: "x") { id } }',
        'mutation { groupCreate(input: {name: "g"}) { userErrors { code } } }',
        'mutation { customerUserAuthenticate(input: {login: "a", password: "b"}) { success } '
        "customerUsers(first: 1) { totalCount } }",
        "mutation { ...F } fragment F on Mutation { customerUserAuthenticate("
        'input: {login: "a", password: "b"}) { success } }',
        "not graphql at all {",
    ],
)
async def test_an_authenticate_key_may_do_nothing_else(api: Api, query: str) -> None:
    r = await api.gql(query, key=await auth_key(api))
    assert (r.status, r.error_codes) == (403, ["FORBIDDEN"])
    # Batches are refused for every caller (app/http_protocol.py), before any document check.
    batch = await api.post([{"query": SIGN_IN}], key=await auth_key(api))
    assert (batch.status, batch.error_codes) == (400, ["BAD_REQUEST"])


async def test_ten_megabytes_of_password(api: Api, make_api: MakeApi) -> None:
    login = await new_user_and_customer(api, password=PASSWORD)
    given = {"login": login, "password": "p" * TEN_MB}
    for key in ("admin", await auth_key(api)):
        r = await api.post({"query": SIGN_IN, "variables": {"i": given}}, key=key)
        assert (r.status, r.error_codes) == (413, ["PAYLOAD_TOO_LARGE"])
    roomy = await make_api(server={"max_body_bytes": 2 * TEN_MB})
    given["login"] = await new_user_and_customer(roomy, password=PASSWORD)
    r = await roomy.post({"query": SIGN_IN, "variables": {"i": given}})
    payload = r.data["customerUserAuthenticate"]
    assert payload["success"] is False
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("TOO_LONG", ["input", "password"])
    ]


async def test_the_password_is_never_logged_nor_answered(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # as deployed: drivers log statements only at DEBUG
    secret = "Sekrit-" + unique("p")
    login = await new_user_and_customer(api, password=secret)
    await set_pw(api, login, hashlib.sha256(secret.encode()).hexdigest())
    caplog.clear()
    answers = [
        await api.gql(SIGN_IN, {"i": {"login": login, "password": secret}}),
        await api.gql(SIGN_IN, {"i": {"login": login, "password": secret + "x"}}),
        await api.gql(SIGN_IN, {"i": {"login": unique("ghost"), "password": secret}}),
    ]
    stored = await stored_pw(api, login)
    assert stored is not None
    for r in answers:
        assert secret not in str(r.body)
    assert secret not in caplog.text
    assert stored not in caplog.text


async def test_backends_in_order_and_a_backend_that_does_not_answer(make_api: MakeApi) -> None:
    api = await make_api()
    login = await new_user_and_customer(api, password=PASSWORD)
    down_engine = create_engine(DatabaseConfig(url="sqlite+aiosqlite:////nonexistent/dir/x.db"))
    down = DbAuthBackend(
        DbAuthBackendConfig(name="down"), down_engine, api.storage.config.passwords
    )
    db = api.storage.customer_auth[0]
    try:
        api.storage.customer_auth[:] = [down, db]
        ok = await sign_in(api, login, PASSWORD)
        assert (ok["success"], ok["backend"]) == (True, "db")
        wrong = await sign_in(api, login, "Wrong-Horse-7")
        assert (wrong["success"], codes(wrong)) == (False, ["BACKEND_UNAVAILABLE"])
        api.storage.customer_auth[:] = [down]
        alone = await sign_in(api, login, PASSWORD)
        assert (alone["success"], codes(alone)) == (False, ["BACKEND_UNAVAILABLE"])
    finally:
        api.storage.customer_auth[:] = [db]
        await down_engine.dispose()


async def test_otp_is_ignored_while_two_factor_is_off(api: Api) -> None:
    login = await new_user_and_customer(api, password=PASSWORD)
    assert (await sign_in(api, login, PASSWORD, otp="123456"))["success"] is True


@pytest.mark.parametrize("scheme", ["bcrypt", "argon2id"])
async def test_an_unknown_login_costs_one_verification_of_the_configured_scheme(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    """Why an unknown login answers in the time of a wrong password: it runs exactly the work
    of checking one hash of the configured scheme (counted, not timed)."""
    api = await make_api(passwords={"scheme": scheme})
    login = await new_user_and_customer(api, password=PASSWORD)
    checked: list[str] = []
    real = passwords_module.verify

    def counting(stored: str | None, password: str, who: str) -> bool:
        checked.append(identify(stored).name if stored else "none")
        return real(stored, password, who)

    monkeypatch.setattr(passwords_module, "verify", counting)
    await sign_in(api, login, "Wrong-Horse-7")
    wrong = list(checked)
    checked.clear()
    await sign_in(api, unique("ghost"), "Wrong-Horse-7")
    assert checked == wrong == [identify(await stored_pw(api, login) or "").name]


async def test_a_password_with_no_utf8_form_is_a_typed_request_error(api: Api) -> None:
    """JSON can carry a lone surrogate (``"\\ud800"``), which no UTF-8 string holds: the
    request is refused as malformed (400 ``BAD_REQUEST``, GraphQL-shaped), nothing is checked or
    counted, and the user still signs in."""
    login = await new_user_and_customer(api, password=PASSWORD)
    headers = {"Authorization": f"Bearer {api.admin_key}", "Content-Type": "application/json"}
    for password in ("\ud800", PASSWORD + "\udcff"):
        variables = {"i": {"login": login, "password": password}}
        body = json.dumps({"query": SIGN_IN, "variables": variables})  # ASCII, escaped
        response = await api.client.post("/graphql", content=body.encode("ascii"), headers=headers)
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert (await sign_in(api, login, PASSWORD))["success"] is True


async def test_a_password_changed_after_the_check_is_not_rehashed_back(api: Api) -> None:
    """The rehash after a sign-in reads the hash again: if the password changed meanwhile (say
    OTOBO stored a new one in its weak sha2 format), the old password must not replace it."""
    login = await new_user_and_customer(api, password=PASSWORD)
    changed = hashlib.sha256(b"Changed-Meanwhile-9").hexdigest()  # OTOBO's sha2
    await set_pw(api, login, changed)
    await api.storage.customer_auth[0].after_sign_in(login, PASSWORD)  # the old one, checked
    assert await stored_pw(api, login) == changed
