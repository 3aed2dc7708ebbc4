"""The dynamic-field values of a bulk import's rows (``resolvers.use_cases.bulk_import``):
checked as ``customerUserCreate``/``customerCreate`` check them (``dynamic_fields.check_values``:
the field exists, is valid, of the Map's type and object type, the value per type), compared
with the stored values, and only what differs is written, in the batch's transaction, so a
file imports again ``UNCHANGED`` (and recorded in the row's event as the single writes record
it: ``domain.dynamic_field_audit``). Per batch: one read of the definitions and one of the
stored values of every object of the batch, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.storage import Storage
from domain.bulk_dynamic_fields import is_empty
from domain.dynamic_field_audit import changes
from resolvers.use_cases import dynamic_fields
from resolvers.use_cases.bulk_import import Action, RowResult

StoredKey = Callable[[RowResult], str | None]
"""The stored object's name (login, CustomerID) of a row that updates one; None for a create."""


async def plan(
    storage: Storage, object_type: str, results: Sequence[RowResult], stored_key: StoredKey
) -> None:
    """Note on each live result what its dynamic fields change (``result.dynamic``, and the
    audit's ``dynamic_before``/``dynamic_after`` by attribute); a value the API would refuse
    refuses the row with the API's problem."""
    live = [r for r in results if r.action is not Action.REFUSED and r.row.dynamic]
    if not live:
        return
    map_rows = dynamic_fields.map_rows_of(storage, object_type)
    names = sorted({map_rows[a].name for r in live for a in r.row.dynamic})
    keys = [k for r in live if (k := stored_key(r)) is not None]
    stored = await storage.dynamic_fields.object_values(object_type, keys, names)
    definitions = {d.name: d for d in await storage.dynamic_fields.definitions(names_=names)}
    for result in live:
        key = result.stored_name = stored_key(result)
        current = stored.get(key, {}) if key is not None else {}
        # An empty cell of a field with no stored value: nothing to write (nor to check).
        given = {
            a: v
            for a, v in result.row.dynamic.items()
            if not (is_empty(v) and map_rows[a].name not in current)
        }
        rows, problems = dynamic_fields.check_values(
            map_rows,
            definitions,
            given,
            object_type,
            three_byte_fix=storage.dynamic_fields.value_text_fix,
        )
        if problems:
            result.action, result.problems = Action.REFUSED, problems
            continue
        fields = dynamic_fields.audited_fields(map_rows, definitions, given)
        old = {
            definition.id: current[definition.name][1]
            for definition in (definitions[map_rows[a].name] for a in given)
            if definition.name in current
        }
        changed = changes(fields, old, rows)  # as the single writes record them
        result.dynamic.update(changed.rows)
        result.dynamic_before.update(changed.before)
        result.dynamic_after.update(changed.after)


def merge(result: RowResult) -> None:
    """A row's dynamic-field changes into its action (an unchanged row becomes an update),
    its changed fields and its audit values."""
    if not result.dynamic or result.action is Action.REFUSED:
        return
    if result.action is Action.UNCHANGED:
        result.action = Action.UPDATED
    if result.action is Action.UPDATED:
        result.changed += [a for a in result.dynamic_after if a not in result.changed]
        result.before = {**(result.before or {}), **result.dynamic_before}
    result.after = {**(result.after or {}), **result.dynamic_after}


async def write(
    conn: AsyncConnection, object_type: str, written: Sequence[tuple[str, RowResult]]
) -> None:
    """Store the changed values of each (object name, result), in the batch's transaction."""
    for name, result in written:
        if result.dynamic:
            await dynamic_fields.write(conn, name, result.dynamic, object_type)
