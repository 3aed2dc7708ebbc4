"""A write whose COMMIT lost its connection: answered by what the database really did.

The fault is made real with a TCP relay on loopback between Roster and the database, which
cuts the connection at the moment Roster sends ``COMMIT``: either before passing it on (the
server never commits and rolls the transaction back when the connection drops) or after passing
it on, without relaying the answer (the server commits; Roster never hears so). Either way the
client must get one correct answer and the row must be stored exactly once: Roster asks the
database what became of the transaction (PostgreSQL: ``txid_status``; MariaDB: the mark the
transaction wrote in ``roster_commit``) and either carries on as committed or runs the mutation
again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import DB_KINDS, Api, Databases, base_config, open_api, unique

CREATE = """mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {
  customer { customerId name } userErrors { code } } }"""
COUNT = "query($c: String!) { customers(search: $c) { totalCount } }"
COMMITS = {
    "postgresql": b"COMMIT;\x00",  # the simple query asyncpg sends (BEGIN names READ COMMITTED)
    "mariadb": b"\x03COMMIT",  # COM_QUERY "COMMIT", as asyncmy sends it
}


class CommitCutter:
    """Relays connections to PostgreSQL; when armed, cuts the next one that sends COMMIT."""

    def __init__(self, target_port: int, commit: bytes) -> None:
        self.target_port = target_port
        self.commit = commit
        self.armed: str | None = None  # "before" or "after" the COMMIT reaches the server
        self.cut = asyncio.Event()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in self._open:
            writer.transport.abort()

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._open |= {client_w, server_w}
        answers = asyncio.ensure_future(self._pipe(server_r, client_w))
        try:
            while chunk := await client_r.read(65536):
                if self.armed and self.commit in chunk:
                    when, self.armed = self.armed, None
                    if when == "after":
                        answers.cancel()  # the server's answer never reaches Roster
                        server_w.write(chunk)
                        await server_w.drain()
                        await asyncio.sleep(0.3)  # let the server commit
                    self.cut.set()
                    break
                server_w.write(chunk)
                await server_w.drain()
        finally:
            answers.cancel()
            for writer in (client_w, server_w):
                writer.transport.abort()
                self._open.discard(writer)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """The server's answers to the client; the client's side closes when the server's
        does (a client closing a connection waits for that)."""
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        writer.transport.abort()


@pytest.fixture(params=[kind for kind in DB_KINDS if kind in COMMITS])
async def relayed(
    request: pytest.FixtureRequest, databases: Databases
) -> AsyncIterator[tuple[Api, CommitCutter]]:
    kind = request.param
    url = make_url(await databases.create(kind))
    cutter = CommitCutter(url.port or {"postgresql": 5432, "mariadb": 3306}[kind], COMMITS[kind])
    await cutter.start()
    try:
        relayed_url = url.set(host="127.0.0.1", port=cutter.port)
        config = base_config(relayed_url.render_as_string(hide_password=False))
        async with open_api(kind, config) as api:
            yield api, cutter
    finally:
        await cutter.stop()


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_create_whose_commit_lost_its_connection_is_stored_once(
    relayed: tuple[Api, CommitCutter], when: str
) -> None:
    api, cutter = relayed
    customer_id = unique("LOST")
    cutter.armed = when
    r = await api.gql(CREATE, {"i": {"customerId": customer_id, "name": "Lost commit"}})
    assert cutter.cut.is_set()
    assert r.errors == [], r.body
    payload = r.data["customerCreate"]
    assert payload["userErrors"] == []  # not CUSTOMER_ID_TAKEN: it was not written twice
    assert payload["customer"] == {"customerId": customer_id, "name": "Lost commit"}
    counted = await api.data(COUNT, {"c": customer_id})
    assert counted["customers"]["totalCount"] == 1
