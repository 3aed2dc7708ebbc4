"""Fixtures shared by the API test modules of one subject that spans several files.

``groups_on`` (alias ``on``) is the app with customer-group support on that the
``test_group_*`` modules and ``test_integrity.py`` share. It was a module fixture, built once
per module; now that the group tests are split by subject it is built once per session and
database kind, so the split does not make the suite slower. Every test uses names of its own,
so tests sharing the app do not see each other's rows.

``search_world`` is the read-only data set of the ``test_customer_user_search_*`` modules, built
the same way (once per session and database kind). ``raw`` is a client that shows an unhandled
exception as the HTTP 500 a server sends, for the ``test_auth_*`` and transport tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.api.customer_user_search_helpers import populate_world
from tests.checks import raw_client
from tests.conftest import Api, Databases, base_config, open_api

SUPPORT_ON: dict[str, Any] = {
    "support": True,
    "always_groups": [],
    "company_always_groups": [],
    "contexts": ["Same", "Other"],
}


@pytest.fixture(scope="session")
async def groups_on(api: Api, databases: Databases) -> AsyncIterator[Api]:
    """An app on a fresh database of ``api``'s kind: group support on, no always-groups,
    contexts Same and Other."""
    url = await databases.create(api.kind)
    async with open_api(api.kind, base_config(url, customer_group=SUPPORT_ON)) as shared:
        yield shared


@pytest.fixture
def on(groups_on: Api) -> Api:
    """The short name the group tests use for ``groups_on``."""
    return groups_on


@pytest.fixture(scope="session")
async def search_world(api: Api, databases: Databases) -> AsyncIterator[Api]:
    """An app on a database of its own (same kind as ``api``) holding only the search tests'
    WORLD users (``customer_user_search_helpers.WORLD_USERS``). Tests must not write to it."""
    url = await databases.create(api.kind)
    async with open_api(api.kind, base_config(url)) as fresh:
        await populate_world(fresh)
        yield fresh


@pytest.fixture
async def raw(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``api``'s app that reports an unhandled exception as the HTTP 500 a real
    server would send, instead of raising it into the test."""
    async with raw_client(api) as client:
        yield client
