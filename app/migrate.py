"""``roster db upgrade``: Alembic, pointed at the database the configuration names."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations
from migrations.roster_indexes import ADD_INDEXES


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", *, add_indexes: bool = True) -> None:
    """Bring the schema to ``revision``. Runs its own event loop: call it from sync code.

    ``add_indexes=False`` (``roster db upgrade --no-indexes``) leaves out Roster's ``roster_*``
    indexes on OTOBO's tables (``migrations/roster_indexes.py``); the revisions are recorded
    as done all the same.
    """
    _ensure_sqlite_directory(url)
    config = alembic_config(url)
    config.attributes[ADD_INDEXES] = add_indexes
    command.upgrade(config, revision)


def _ensure_sqlite_directory(url: str) -> None:
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix):
        path = url[len(prefix) :].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
