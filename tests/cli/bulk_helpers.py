"""Running ``roster import`` and ``roster export`` against a fresh database of each kind."""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.cli.helpers import roster
from tests.conftest import Databases
from tests.toml_helpers import backend_toml, toml_value

COUNTED_TABLES = (
    "customer_company",
    "customer_user",
    "customer_user_customer",
    "group_customer_user",
    "service_customer_user",
    "roster_record_origin",
    "roster_password_history",
)


@dataclass
class Target:
    """A migrated database with the demo data, and a config file naming it."""

    kind: str
    url: str
    config: Path
    folder: Path

    async def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        config = ("--config", str(self.config))
        return await asyncio.to_thread(roster, *args, *config, timeout=180)

    async def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = await self.cli(*args)
        assert result.returncode == 0, result.stderr
        return result

    async def export(self, name: str, *extra: str) -> bytes:
        path = self.folder / name
        await self.ok("export", "-o", str(path), *extra)
        return path.read_bytes()

    async def rows(self, query: str) -> list[tuple[Any, ...]]:
        engine = create_async_engine(self.url)
        try:
            async with engine.connect() as conn:
                return [tuple(row) for row in (await conn.execute(sa.text(query))).all()]
        finally:
            await engine.dispose()

    async def execute(self, *statements: str) -> None:
        engine = create_async_engine(self.url)
        try:
            async with engine.begin() as conn:
                for statement in statements:
                    await conn.execute(sa.text(statement))
        finally:
            await engine.dispose()

    async def counts(self) -> dict[str, int]:
        return {
            table: (await self.rows(f"SELECT count(*) FROM {table}"))[0][0]
            for table in COUNTED_TABLES
        }


def write_target_config(
    folder: Path, url: str, *, read_only: bool = False, passwords: str = "", extra: str = ""
) -> Path:
    """``passwords``: more lines of ``[passwords]``; ``extra``: more tables."""
    text = f"[database]\nurl = {toml_value(url)}\n[passwords]\nbcrypt_cost = 4\n{passwords}"
    text += extra
    if read_only:
        text += backend_toml(name="CustomerUser", module="db", read_only=True)
    path = folder / ("roster-ro.toml" if read_only else "roster.toml")
    path.write_text(text, encoding="utf-8")
    return path


async def demo_target(
    kind: str, databases: Databases, folder: Path, *, passwords: str = "", extra: str = ""
) -> Target:
    """A fresh database of ``kind`` holding what ``roster demo load`` loads under this config
    (``write_target_config``'s ``passwords`` and ``extra``), and the config in ``folder``.

    The command runs once per config and kind, in a folder of its own; each target is a copy
    of its database (``Databases.create_prepared``): the same rows, 2-3 s sooner. For a config
    that only one test uses per kind the copy is one more, not one fewer: such a test runs
    ``roster demo load`` on its own database (``test_import_password_history.py``)."""

    async def load_demo(url: str) -> None:
        own = Path(await asyncio.to_thread(tempfile.mkdtemp, dir=databases.tmp))
        config = write_target_config(own, url, passwords=passwords, extra=extra)
        await Target(kind, url, config, own).ok("demo", "load")

    url = await databases.create_prepared(kind, f"demo {passwords!r} {extra!r}", load_demo)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    config = write_target_config(folder, url, passwords=passwords, extra=extra)
    return Target(kind, url, config, folder)
