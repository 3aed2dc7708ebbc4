"""``roster audit prune``, run for real against a SQLite file: it deletes the events older
than ``[audit] retention_days`` (a prefix of positions) and remembers the last one it deleted,
so a changes-feed cursor before it is told to resync; ``--dry-run`` only counts; 0 keeps all.
The old events are written straight into the table: the API cannot date an event back."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.cli.helpers import roster, rows, write_config


def _events(db: Path, ages_in_days: list[int]) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        for position, age in enumerate(ages_in_days, start=1):
            conn.execute(
                "INSERT INTO roster_audit_event (id, occurred_at, actor_key_id, actor_key_name,"
                " object_type, object_key, object_name, action, changes) VALUES"
                " (?, ?, 1, 'ci', 'group', '1', '1', 'UPDATED', '{\"fields\":{},\"sets\":{}}')",
                (position, (now - timedelta(days=age)).isoformat(sep=" ")),
            )
        conn.execute("UPDATE roster_audit_position SET last_position = ?", (len(ages_in_days),))
        conn.commit()


def test_prune_deletes_what_is_older_than_the_retention(upgraded: Path, db_path: Path) -> None:
    config = write_config(upgraded, db_path, extra="[audit]\nretention_days = 30\n")
    _events(db_path, [400, 40, 31, 2, 0])

    dry = roster("audit", "prune", "--dry-run", "--config", str(config))
    assert dry.returncode == 0, dry.stderr
    assert "3 audit events are older than 30 days" in dry.stderr
    assert len(rows(db_path, "SELECT id FROM roster_audit_event")) == 5

    result = roster("audit", "prune", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "pruned 3 audit events" in result.stderr
    assert rows(db_path, "SELECT id FROM roster_audit_event ORDER BY id") == [(4,), (5,)]
    assert rows(db_path, "SELECT last_position, pruned_through FROM roster_audit_position") == [
        (5, 3)
    ]
    again = roster("audit", "prune", "--config", str(config))
    assert "pruned 0 audit events" in again.stderr


def test_a_retention_of_zero_keeps_every_event(upgraded: Path, db_path: Path) -> None:
    config = write_config(upgraded, db_path, extra="[audit]\nretention_days = 0\n")
    _events(db_path, [4000])
    result = roster("audit", "prune", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "every event is kept" in result.stderr
    assert rows(db_path, "SELECT id FROM roster_audit_event") == [(1,)]
