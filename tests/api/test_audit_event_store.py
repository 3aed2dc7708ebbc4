"""The audit trail's store on every database: an event is written only with its transaction's
commit, a large one fits (an assignment of 10,000 rows: more than MariaDB's TEXT holds), and
an event noted outside a write transaction is refused rather than lost. The API tests
(``test_audit_events.py``) show what each write records."""

from __future__ import annotations

import pytest

from datasources.db import audit_events
from datasources.unit_of_work import transaction
from domain.audit import Action, AuditActor, AuditEvent, FieldChange, SetChange
from domain.origins import OriginKey
from tests.conftest import Api, unique

ACTOR = AuditActor(0, "store-test")


async def test_a_large_event_is_stored_whole(api: Api) -> None:
    key = OriginKey.customer_user(unique("big"))
    items = tuple(f"{unique('login-')}:rw" for _ in range(10_000))
    event = AuditEvent(
        key, key.object_key, Action.ASSIGNMENTS_CHANGED, sets={"x": SetChange(items)}
    )
    async with transaction(api.storage.engine) as conn:
        audit_events.note(conn, ACTOR, [event])
    [stored] = (await api.storage.audit.histories([key], None, 10))[key]
    assert stored.event.sets["x"].added == items
    assert stored.actor == ACTOR


async def test_many_events_of_one_commit_come_back_as_written(api: Api) -> None:
    """A commit's events go in one statement (on PostgreSQL one array per column, a column
    of texts sent as one joined text, a column with one value bound once): odd texts (the
    join's separator, empty, non-ASCII), absent values and two actors come back as written."""
    keys = [OriginKey.customer_user(unique(f"batch{i}-")) for i in range(4)]
    names = ["a\x1fb", "", "Müller ✓", "x"]
    other = AuditActor(0, "store-test", 7, "ada")
    actors = [ACTOR, other, ACTOR, ACTOR]
    events = [
        AuditEvent(key, name, Action.UPDATED, {"UserCity": FieldChange(f"{name}\x1f", None)})
        for key, name in zip(keys, names, strict=True)
    ]
    async with transaction(api.storage.engine) as conn:
        for actor, event in zip(actors, events, strict=True):
            audit_events.note(conn, actor, [event])
    found = await api.storage.audit.histories(keys, None, 10)
    for key, actor, event in zip(keys, actors, events, strict=True):
        [stored] = found[key]
        assert (stored.event, stored.actor) == (event, actor)
    positions = sorted(stored.position for key in keys for stored in found[key])
    assert positions == list(range(positions[0], positions[0] + 4))


async def test_an_event_lives_and_dies_with_its_transaction(api: Api) -> None:
    key = OriginKey.group(2_000_000_000)
    event = AuditEvent(key, "2000000000", Action.UPDATED)
    with pytest.raises(RuntimeError, match="only inside"):
        async with api.storage.engine.begin() as conn:
            audit_events.note(conn, ACTOR, [event])

    async def failing_write() -> None:
        async with transaction(api.storage.engine) as conn:
            audit_events.note(conn, ACTOR, [event])
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await failing_write()
    assert (await api.storage.audit.histories([key], None, 10))[key] == []
