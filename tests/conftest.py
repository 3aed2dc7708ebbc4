"""Fixtures: every API test runs against SQLite, the real PostgreSQL on 127.0.0.1:5432 *and* the
real MariaDB on 127.0.0.1:3306 (``ROSTER_TEST_DB_KINDS=sqlite,mariadb`` picks some of them).

Each database is made fresh for the session (PostgreSQL, MariaDB: a database of its own, dropped
at the end), migrated with Alembic exactly as ``roster db upgrade`` does, and served through the
real ASGI app with real API keys. ``make_api`` builds a further app on a fresh database for tests
that need another configuration (a custom Map field, a read-only backend, …).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncmy
import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.migrate import upgrade
from app.server import create_app
from datasources.db.api_keys import Scope
from datasources.storage import Storage, open_storage
from domain.config import RosterConfig
from tests.drop_databases import drop_detached

PG_ADMIN_DSN = os.environ.get("ROSTER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
MARIADB_ADMIN = make_url(
    os.environ.get("ROSTER_TEST_MARIADB", "mysql+asyncmy://root@127.0.0.1:3306")
)
MARIADB_DATABASE_OPTIONS = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
"""As OTOBO's installer creates its database (``Kernel/Modules/Installer.pm``)."""
ALL_DB_KINDS = ["sqlite", "postgresql", "mariadb"]
DB_KINDS = [
    kind
    for kind in os.environ.get("ROSTER_TEST_DB_KINDS", ",".join(ALL_DB_KINDS)).split(",")
    if kind in ALL_DB_KINDS
]


def exact_sql(kind: str, column: str) -> str:
    """``column`` for an exact comparison in a test's raw SQL: MariaDB compares by the column's
    collation, which ignores case (and, on OTOBO's tables, accents)."""
    return f"{column} COLLATE utf8mb4_nopad_bin" if kind == "mariadb" else column


async def clock_tick(kind: str) -> None:
    """Wait until a timestamp written now is later than one written before the call. MariaDB's
    columns are OTOBO's ``DATETIME``, whole seconds: there, into the next second."""
    if kind == "mariadb":
        await asyncio.sleep(1.01 - time.time() % 1)
    else:
        await asyncio.sleep(0.01)


def unique(prefix: str = "t") -> str:
    """A name no other test uses, so tests share a database without seeing each other."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


class Databases:
    """Creates (and at the end drops) fresh, migrated databases of either kind.

    The first database of a kind is migrated with Alembic, exactly as ``roster db upgrade``
    does; later ones are copies of it (PostgreSQL ``TEMPLATE``, a file copy for SQLite,
    ``CREATE TABLE … LIKE`` and ``INSERT … SELECT`` table by table for MariaDB, which has no
    template databases), which is the same schema at a fraction of the cost.

    A copy on PostgreSQL or MariaDB still takes time the server spends mostly on files (0.6 s
    and 1.2-2.5 s wall-clock on the loaded 2-core machine), so each ``create`` of those kinds
    starts the copy the *next* call will get, and the server makes it while tests run: a
    fresh, never-used copy of the same template, made ahead of time.
    """

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.pg_names: list[str] = []
        self.mariadb_names: list[str] = []
        self._templates: dict[str, str] = {}
        self._prepared: dict[tuple[str, str], str] = {}
        self._spares: dict[str, asyncio.Task[str]] = {}
        """The copy the next call gets, by the name of the database it copies."""
        self._mariadb_layouts: dict[str, list[tuple[str, bool]]] = {}
        self._lock = asyncio.Lock()
        self._prepare_lock = asyncio.Lock()

    async def create(self, kind: str) -> str:
        async with self._lock:
            if kind not in self._templates:
                self._templates[kind] = await self._new(kind, template=None)
                await asyncio.to_thread(upgrade, self._url(kind, self._templates[kind]))
            copy = self._copy_of(kind, self._templates[kind])
        return self._url(kind, await copy)

    async def create_prepared(
        self, kind: str, key: str, prepare: Callable[[str], Awaitable[None]]
    ) -> str:
        """A fresh database of ``kind`` holding what ``prepare`` (given its URL) adds to a
        migrated one, e.g. ``roster demo load``'s demo data. ``prepare`` runs once per ``key``
        and kind, on a database of its own that nothing else uses; each call gets a copy of
        that one, made as ``create`` makes its copies. Why: a test that needs the demo data
        paid a ``roster demo load`` process (2-3 s) for each database."""
        async with self._prepare_lock:
            if (kind, key) not in self._prepared:
                url = await self.create(kind)
                await prepare(url)
                name = url.rsplit("/", 1)[1].split("?", 1)[0].removesuffix(".db")
                if kind == "sqlite":  # its pages all in the file the copy copies
                    await asyncio.to_thread(_checkpoint, self.tmp / f"{name}.db")
                self._prepared[kind, key] = name
            copy = self._copy_of(kind, self._prepared[kind, key])
        return self._url(kind, await copy)

    def _copy_of(self, kind: str, template: str) -> Awaitable[str]:
        """The name of a fresh copy of ``template``, once awaited. On PostgreSQL and MariaDB
        it is the copy the previous call started, and this call starts the next one's."""
        if kind == "sqlite":  # a file copy: nothing to gain from making it ahead
            return self._new(kind, template=template)
        spare = self._spares.pop(template, None)
        self._spares[template] = asyncio.create_task(self._new(kind, template=template))
        return spare if spare is not None else self._new(kind, template=template)

    def _url(self, kind: str, name: str) -> str:
        if kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.tmp / name}.db"
        if kind == "mariadb":
            url = MARIADB_ADMIN.set(database=name, query={"charset": "utf8mb4"})
            return url.render_as_string(hide_password=False)
        host_part = PG_ADMIN_DSN.split("://", 1)[1].rsplit("/", 1)[0]
        return f"postgresql+asyncpg://{host_part}/{name}"

    async def _new(self, kind: str, *, template: str | None) -> str:
        name = f"roster_test_{uuid.uuid4().hex[:12]}"
        if kind == "sqlite":
            if template is not None:
                shutil.copyfile(self.tmp / f"{template}.db", self.tmp / f"{name}.db")
            return name
        if kind == "mariadb":
            await self._new_mariadb(name, template)
            return name
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            source = template or "template0"
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" ENCODING \'UTF8\'')
        finally:
            await conn.close()
        self.pg_names.append(name)
        return name

    async def _new_mariadb(self, name: str, template: str | None) -> None:
        conn = await mariadb_admin_connection()
        try:
            async with conn.cursor() as cursor:
                await cursor.execute(f"CREATE DATABASE `{name}` {MARIADB_DATABASE_OPTIONS}")
                self.mariadb_names.append(name)
                if template is None:
                    return
                for table, filled in await self._mariadb_tables(cursor, template):
                    await cursor.execute(
                        f"CREATE TABLE `{name}`.`{table}` LIKE `{template}`.`{table}`"
                    )
                    if filled:
                        await cursor.execute(
                            f"INSERT INTO `{name}`.`{table}` SELECT * FROM `{template}`.`{table}`"
                        )
            await conn.commit()
        finally:
            await conn.ensure_closed()

    async def _mariadb_tables(self, cursor: Any, template: str) -> list[tuple[str, bool]]:
        """The template's tables, each with whether it holds rows (12 of 33 do), read once: a
        template never changes after its migration, and the copy skips the empty tables."""
        if template not in self._mariadb_layouts:
            await cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (template,),
            )
            layout = []
            for (table,) in await cursor.fetchall():
                await cursor.execute(f"SELECT EXISTS (SELECT 1 FROM `{template}`.`{table}`)")
                (filled,) = await cursor.fetchone()
                layout.append((table, bool(filled)))
            self._mariadb_layouts[template] = layout
        return self._mariadb_layouts[template]

    async def drop_all(self) -> None:
        # The spare copies nobody asked for: finished first, so that they are dropped too.
        await asyncio.gather(*self._spares.values(), return_exceptions=True)
        DROP_AT_THE_END["postgresql"] += self.pg_names
        DROP_AT_THE_END["mariadb"] += self.mariadb_names


def _checkpoint(path: Path) -> None:
    """Everything SQLite's write-ahead log at ``path`` still holds, moved into the file."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def mariadb_admin_connection() -> Any:
    """A plain driver connection to the test MariaDB server, as its administrator."""
    return await asyncmy.connect(
        host=MARIADB_ADMIN.host or "127.0.0.1",
        port=MARIADB_ADMIN.port or 3306,
        user=MARIADB_ADMIN.username or "root",
        password=MARIADB_ADMIN.password or "",
        charset="utf8mb4",
    )


@contextlib.asynccontextmanager
async def mariadb_database() -> AsyncIterator[str]:
    """The URL of an empty MariaDB database made as OTOBO's installer makes it, dropped after."""
    name = f"roster_test_{uuid.uuid4().hex[:12]}"
    conn = await mariadb_admin_connection()
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"CREATE DATABASE `{name}` {MARIADB_DATABASE_OPTIONS}")
        url = MARIADB_ADMIN.set(database=name, query={"charset": "utf8mb4"})
        yield url.render_as_string(hide_password=False)
    finally:
        async with conn.cursor() as cursor:
            await cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        await conn.ensure_closed()


DROP_AT_THE_END: dict[str, list[str]] = {"postgresql": [], "mariadb": []}
"""Names of the databases this test process made, by kind, dropped when it ends by a process
the run does not wait for (``tests.drop_databases``: PostgreSQL's drops wait for a checkpoint,
30 s and more on this machine)."""


@pytest.fixture(scope="session", autouse=True)
def _drop_the_databases_at_the_end() -> Iterator[None]:
    """Set up before any other fixture of the session, so it ends after all of them."""
    yield
    drop_detached(
        PG_ADMIN_DSN,
        DROP_AT_THE_END["postgresql"],
        MARIADB_ADMIN.render_as_string(hide_password=False),
        DROP_AT_THE_END["mariadb"],
    )


@pytest.fixture(scope="session")
async def databases(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("sqlite"))
    yield dbs
    await dbs.drop_all()


@dataclass
class GraphQLResponse:
    status: int
    body: dict[str, Any]
    statements: int

    @property
    def data(self) -> Any:
        assert "errors" not in self.body, self.body.get("errors")
        return self.body["data"]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def error_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]


@dataclass
class Api:
    """A client of one running app, with an admin and a read-only key."""

    client: httpx.AsyncClient
    storage: Storage
    kind: str
    admin_key: str = ""
    read_key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    async def post(
        self, payload: Any, *, key: str | None = "admin", headers: dict[str, str] | None = None
    ) -> GraphQLResponse:
        all_headers = dict(headers or {})
        if key == "admin":
            all_headers["Authorization"] = f"Bearer {self.admin_key}"
        elif key == "read":
            all_headers["Authorization"] = f"Bearer {self.read_key}"
        elif key is not None:
            all_headers["Authorization"] = key
        response = await self.client.post("/graphql", json=payload, headers=all_headers)
        body = response.json() if response.content else {}
        return GraphQLResponse(
            status=response.status_code,
            body=body,
            statements=int(response.headers.get("x-roster-sql-statements", "-1")),
        )

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = "admin"
    ) -> GraphQLResponse:
        return await self.post({"query": query, "variables": variables or {}}, key=key)

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        return (await self.gql(query, variables)).data


def base_config(url: str, **sections: Any) -> RosterConfig:
    data: dict[str, Any] = {
        "database": {"url": url, "pool_size": 5},
        "server": {"statement_count_header": True},
        # bcrypt's lowest cost: cost 12 (the default) takes ~0.5 s a hash on a shared 2-core
        # machine, and the suite creates thousands of users. The tests of what is stored pick
        # cost 12 themselves (tests/test_otobo_password_vectors.py).
        "passwords": {"bcrypt_cost": 4},
    }
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value}
    return RosterConfig.model_validate(data)


@contextlib.asynccontextmanager
async def open_api(kind: str, config: RosterConfig) -> AsyncIterator[Api]:
    storage = await open_storage(config)
    try:
        app = create_app(config, storage=storage)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://roster.test") as client:
            api = Api(client=client, storage=storage, kind=kind)
            api.admin_key, _ = await storage.api_keys.create(unique("admin-"), Scope.ADMIN)
            api.read_key, _ = await storage.api_keys.create(unique("read-"), Scope.READ)
            yield api
    finally:
        await storage.close()


@pytest.fixture(scope="session", params=DB_KINDS)
async def api(request: pytest.FixtureRequest, databases: Databases) -> AsyncIterator[Api]:
    """The shared app of one database kind, default configuration."""
    url = await databases.create(request.param)
    async with open_api(request.param, base_config(url)) as shared:
        yield shared


MakeApi = Callable[..., Awaitable[Api]]


@pytest.fixture
async def make_api(api: Api, databases: Databases) -> AsyncIterator[MakeApi]:
    """Build an app on a fresh database of the same kind as ``api``, with config overrides.

    ``before_open`` (SQL statements) runs after migrating and before the app opens, e.g. the
    ``ALTER TABLE`` a custom Map field needs.
    """
    stack = contextlib.AsyncExitStack()

    async def make(*, before_open: list[str] | None = None, **sections: Any) -> Api:
        url = await databases.create(api.kind)
        if before_open:
            await run_sql(url, before_open)
        return await stack.enter_async_context(open_api(api.kind, base_config(url, **sections)))

    async with stack:
        yield make


async def run_sql(url: str, statements: list[str]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(sa.text(statement))
    finally:
        await engine.dispose()


HEAVIEST_FIRST = (
    "tests/cli/test_import_export.py",
    "tests/cli/test_import_customer_grants.py",
    "tests/api/test_hostile_query_arguments.py",
    "tests/api/test_hostile_mutation_inputs.py",
    "tests/cli/test_import_bad_input.py",
    "tests/cli/test_api_keys.py",
    "tests/api/test_sign_in_limits.py",
    "tests/cli/test_startup_errors.py",
    "tests/api/test_otobo_auth_catalogue.py",
    "tests/api/test_nested_lists.py",
    "tests/api/test_group_assignment_input.py",
    "tests/test_sign_in_limits_processes.py",
    "tests/test_worker_supervision.py",
    "tests/api/test_services_bad_input.py",
    "tests/api/test_hostile_documents_and_transport.py",
    "tests/http_audit/test_graphql_http_audit.py",
)
"""The test files that took longest (summed test time, all databases, in a full run), run
first. Only the order changes, and only among files of the same number of tests: pytest-xdist
(3.8, ``--loadscope-reorder``, its default) hands out the files of ``--dist loadfile`` by their
number of tests, most first, and keeps the collection order only among equals. Measured
(2026-12-06, two full runs, their per-test durations replayed through xdist's scheduling): the
two workers end 22 s and 2 s apart in that order; longest-first over all files would end them
together, 11 s and 1 s earlier. So the end of the run loses little to either order."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: place for place, path in enumerate(HEAVIEST_FIRST)}
    root = Path(__file__).resolve().parent.parent

    def place(item: pytest.Item) -> int:
        path = Path(str(item.path)).resolve().relative_to(root).as_posix()
        return rank.get(path, len(rank))

    items.sort(key=place)  # stable: every other file keeps its place and its tests' order
