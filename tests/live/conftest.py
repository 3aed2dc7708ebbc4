"""``served``: a real ``roster serve`` on a new database of each kind, with its API keys, for a
test module's cases to share (tests/live's per-database modules)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import ALL_DB_KINDS, DB_KINDS
from tests.live.helpers import Keys, create_keys, serving, write_config


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(kind, marks=pytest.mark.skipif(kind not in DB_KINDS, reason="not chosen"))
        for kind in ALL_DB_KINDS
    ],
)
async def served(
    request: pytest.FixtureRequest, databases: Any, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[str, Keys]]:
    """(the server's base URL, its keys), for the module's database kind."""
    files = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    url = await databases.create(request.param)
    keys = await create_keys(url)
    config = write_config(files / "live.toml", url)
    with serving(config, files / "serve.log") as (_process, base):
        yield base, keys
