"""The switch for Roster's own indexes on OTOBO's tables: ``roster db upgrade --no-indexes``.

Every index Roster adds to an OTOBO table is named ``roster_*`` and listed in the README
("Adopting an OTOBO database"). A DBA who wants OTOBO's tables exactly as OTOBO's installer
left them runs the upgrade with ``--no-indexes``: the index migrations then run without
creating anything and are recorded as done all the same, so later upgrades carry on from them.
Roster still works without the indexes: lookups are slower, and case-insensitive uniqueness of
logins, customer IDs and group names is then checked by Roster only (as OTOBO does), not also
by the database.
"""

from __future__ import annotations

from alembic import context, op

ADD_INDEXES = "roster_add_indexes"
"""The key in Alembic's ``Config.attributes`` that ``app.migrate.upgrade`` sets."""


def adding_indexes() -> bool:
    """Whether this upgrade creates Roster's indexes on OTOBO's tables (the default)."""
    return bool(context.config.attributes.get(ADD_INDEXES, True))


def drop_index(name: str, table: str) -> None:
    """Drop one of Roster's indexes, which a database upgraded with ``--no-indexes`` lacks."""
    op.drop_index(name, table_name=table, if_exists=True)
