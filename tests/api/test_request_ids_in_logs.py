"""Every log record Roster writes while handling a request carries that request's id: the id
of the response's ``X-Request-Id`` header and of its access line (``app/logs.py``), as a
``request_id`` field in JSON logs and as `` id=…`` in text logs. Shown with real faults: a
table that vanished (a masked unexpected error), an unknown API key, and a stored password
that cannot be verified (logged in a hashing thread)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from app.logs import JsonFormatter, TextFormatter
from tests.api.auth_helpers import LISTING
from tests.api.customer_session_helpers import SIGN_IN
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, new_user

Written = Callable[[], list[str]]


@pytest.fixture(params=["text", "json"])
def log_format(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def written(log_format: str) -> Iterator[Written]:
    """What Roster's loggers write through the formatter of ``log_format`` (the one
    ``configure_logging`` installs): the lines so far."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    roster = logging.getLogger("roster")
    level = roster.level
    roster.addHandler(handler)
    roster.setLevel(logging.INFO)
    try:
        yield lambda: stream.getvalue().splitlines()
    finally:
        roster.removeHandler(handler)
        roster.setLevel(level)


async def access_line_id(capsys: pytest.CaptureFixture[str]) -> str:
    """The request id of the one access line written since the last look."""
    await asyncio.sleep(0)  # access lines are written at the end of an event-loop turn
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("INFO:  ")]
    assert len(lines) == 1, lines
    found = re.search(r" id=(\S+) ", lines[0])
    assert found, lines[0]
    return found.group(1)


def ids_of(lines: list[str], log_format: str, message: str) -> list[str | None]:
    """The request id of each written record whose message contains ``message``."""
    ids: list[str | None] = []
    for line in lines:
        if log_format == "json":
            fields = json.loads(line)
            if message in fields["message"]:
                ids.append(fields.get("request_id"))
        elif message in line:
            found = re.search(r" id=(\S+)$", line)
            ids.append(found.group(1) if found else None)
    return ids


async def test_a_masked_error_names_the_request_it_happened_in(
    make_api: MakeApi, written: Written, log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = await make_api()
    async with broken.storage.engine.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE customer_company RENAME TO customer_company_gone"))
    capsys.readouterr()

    r = await broken.post({"query": LISTING}, headers={"X-Request-Id": "trace-me.1"})
    assert r.error_codes == ["INTERNAL_SERVER_ERROR"], r.body
    assert await access_line_id(capsys) == "trace-me.1"
    assert ids_of(written(), log_format, "unexpected error") == ["trace-me.1"]

    # An id the server made up is the same in the header, the access line and the log record.
    response = await broken.client.post(
        "/graphql",
        json={"query": LISTING},
        headers={"Authorization": f"Bearer {broken.admin_key}"},
    )
    given = response.headers["x-request-id"]
    assert await access_line_id(capsys) == given
    assert ids_of(written(), log_format, "unexpected error") == ["trace-me.1", given]


async def test_a_rejected_key_is_logged_with_the_request_id(
    api: Api, written: Written, log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = await api.client.post(
        "/graphql",
        json={"query": LISTING},
        headers={"Authorization": "Bearer rk_not-a-key", "X-Request-Id": "bad-key-7"},
    )
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "bad-key-7"
    assert await access_line_id(capsys) == "bad-key-7"
    assert ids_of(written(), log_format, "rejected an unknown or revoked API key") == ["bad-key-7"]


async def test_a_record_logged_in_a_hashing_thread_carries_the_id(
    api: Api, written: Written, log_format: str
) -> None:
    login = await new_user(api, await new_customer(api))
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE customer_user SET pw = :pw WHERE login = :login"),
            {"pw": "{NOPE}not-a-hash-any-scheme-knows", "login": login},
        )
    r = await api.post(
        {"query": SIGN_IN, "variables": {"i": {"login": login, "password": "Whatever-1"}}},
        headers={"X-Request-Id": "sign-in-3"},
    )
    assert r.data["customerUserAuthenticate"]["success"] is False, r.body
    assert ids_of(written(), log_format, "the stored password cannot be verified") == ["sign-in-3"]


async def test_records_outside_a_request_carry_no_id(written: Written, log_format: str) -> None:
    logging.getLogger("roster.test").warning("between requests")
    assert ids_of(written(), log_format, "between requests") == [None]
