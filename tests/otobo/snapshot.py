"""What a database's catalogue says about OTOBO's tables: columns (type, length, precision,
NULL-ness, default, collation, position), constraints and indexes; taken before and after
``roster db upgrade`` to show what the upgrade changed."""

from __future__ import annotations

from dataclasses import dataclass

from tests.otobo.otobo_db import OTOBO_TABLES, OtoboDatabase

Row = tuple[str | None, ...]

_IN_OTOBO_TABLES = "table_name IN ({})".format(", ".join(f"'{t}'" for t in OTOBO_TABLES))


@dataclass(frozen=True)
class Snapshot:
    tables: frozenset[str]
    columns: frozenset[Row]
    """(table, column, position, type, length, precision, scale, time precision, nullable,
    default, collation) of every column of OTOBO's tables."""
    constraints: frozenset[Row]
    """(table, name, kind): primary keys, unique constraints and foreign keys."""
    indexes: dict[tuple[str, str], str]
    """(table, index) → its definition, for OTOBO's tables."""

    def added_indexes(self, before: Snapshot) -> set[tuple[str, str]]:
        return set(self.indexes) - set(before.indexes)


async def snapshot(db: OtoboDatabase) -> Snapshot:
    where = f"{db.schema_condition} AND {_IN_OTOBO_TABLES}"
    tables = await db.rows(
        f"SELECT table_name FROM information_schema.tables WHERE {db.schema_condition}"
    )
    columns = await db.rows(
        "SELECT table_name, column_name, ordinal_position, data_type, "
        "character_maximum_length, numeric_precision, numeric_scale, datetime_precision, "
        f"is_nullable, column_default, collation_name FROM information_schema.columns WHERE {where}"
    )
    constraints = await db.rows(
        "SELECT table_name, constraint_name, constraint_type "
        f"FROM information_schema.table_constraints WHERE {where}"
    )
    return Snapshot(
        tables=frozenset(str(t[0]) for t in tables),
        columns=frozenset(columns),
        constraints=frozenset(constraints),
        indexes=await _indexes(db),
    )


async def _indexes(db: OtoboDatabase) -> dict[tuple[str, str], str]:
    if db.kind == "mariadb":
        rows = await db.rows(
            "SELECT table_name, index_name, CONCAT(IF(non_unique = 0, 'UNIQUE ', ''), "
            "GROUP_CONCAT(CONCAT(column_name, IFNULL(CONCAT('(', sub_part, ')'), '')) "
            "ORDER BY seq_in_index)) "
            f"FROM information_schema.statistics WHERE {db.schema_condition} AND "
            f"{_IN_OTOBO_TABLES} GROUP BY table_name, index_name, non_unique"
        )
    else:
        rows = await db.rows(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename IN ({})".format(", ".join(f"'{t}'" for t in OTOBO_TABLES))
        )
    return {(str(table), str(name)): str(definition) for table, name, definition in rows}
