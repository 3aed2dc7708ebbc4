"""Fixtures for the LDAP backend: one real slapd for the session, and apps whose backends are
a database backend followed by the LDAP one (OTOBO's ``CustomerUser`` and ``CustomerUser1``).

``ldap_api`` is shared by the tests that only read LDAP and write rows of their own (one app per
database kind: SQLite and PostgreSQL); ``make_ldap_api`` builds a fresh app for a test that
needs another configuration, its own circuit breaker, or a database of its own. Tests that
stop or freeze slapd take ``slapd_restored``, which has it running again afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from tests.conftest import DB_KINDS, Api, Databases, base_config, open_api
from tests.ldap.directory import Slapd, restoring, serving

GROUP_SUPPORT: dict[str, Any] = {"support": True, "always_groups": [], "company_always_groups": []}
DB_BACKEND: dict[str, Any] = {"name": "CustomerUser"}


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    yield from serving(Slapd(tmp_path_factory.mktemp("slapd")))


@pytest.fixture
def slapd_restored(slapd: Slapd) -> Iterator[Slapd]:
    """The session's slapd, for a test that stops or freezes it: running again afterwards."""
    yield from restoring(slapd)


def ldap_config(url: str, backends: list[dict[str, Any]], **sections: Any) -> Any:
    return base_config(
        url, customer_user={"backends": backends}, customer_group=GROUP_SUPPORT, **sections
    )


@pytest.fixture(scope="session", params=DB_KINDS)
async def ldap_api(
    request: pytest.FixtureRequest, databases: Databases, slapd: Slapd
) -> AsyncIterator[Api]:
    """The shared app of one database kind: the database backend, then ``Directory``."""
    url = await databases.create(request.param)
    config = ldap_config(url, [DB_BACKEND, slapd.backend()])
    async with open_api(request.param, config) as shared:
        yield shared


MakeLdapApi = Callable[..., Awaitable[Api]]


@contextlib.asynccontextmanager
async def app_factory(databases: Databases, kind: str) -> AsyncIterator[MakeLdapApi]:
    """``make(backends, url=None, **sections)``: an app on a fresh database of ``kind`` (or
    on the database at ``url``: another app's, to see rows written through it)."""
    stack = contextlib.AsyncExitStack()

    async def make(backends: list[dict[str, Any]], url: str | None = None, **sections: Any) -> Api:
        url = url or await databases.create(kind)
        config = ldap_config(url, backends, **sections)
        return await stack.enter_async_context(open_api(kind, config))

    async with stack:
        yield make


@pytest.fixture
async def make_ldap_api(ldap_api: Api, databases: Databases) -> AsyncIterator[MakeLdapApi]:
    """Apps of ``ldap_api``'s database kind (see ``app_factory``)."""
    async with app_factory(databases, ldap_api.kind) as make:
        yield make


@pytest.fixture
async def make_sqlite_api(databases: Databases) -> AsyncIterator[MakeLdapApi]:
    """Apps on SQLite only: for the fault tests, where the database kind does not matter and
    each case waits out real timeouts."""
    async with app_factory(databases, "sqlite") as make:
        yield make
