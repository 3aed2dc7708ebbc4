"""Whose write a row is: the API key Roster recorded, or the agent the row names."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.origins import (
    KeyRef,
    ObjectType,
    Origin,
    OriginKey,
    changing_key,
    creating_key,
    origin_key,
)
from domain.records import Audit, GroupRecord
from domain.validity import Validity

WRITTEN = datetime(2026, 1, 2, 3, 4, 5, 600_000)
KEY = KeyRef(5, "frontend")
ROSTERS = Origin(created_by=KEY, changed_by=KEY, changed_at=WRITTEN)


def audit(created: datetime, changed: datetime) -> Audit:
    return Audit(created_at=created, created_by=1, changed_at=changed, changed_by=1)


def test_a_row_as_roster_wrote_it_is_the_keys() -> None:
    # OTOBO's columns keep whole seconds and round: 05.6 is stored as 06.
    rounded = WRITTEN.replace(microsecond=0) + timedelta(seconds=1)
    assert creating_key(audit(rounded, rounded), ROSTERS) == KEY
    assert changing_key(audit(rounded, rounded), ROSTERS) == KEY


def test_a_later_change_is_the_agents() -> None:
    later = WRITTEN + timedelta(seconds=2)
    assert changing_key(audit(WRITTEN, later), ROSTERS) is None
    assert creating_key(audit(WRITTEN, later), ROSTERS) == KEY
    # Created after Roster's last write: another object under the same key, OTOBO's.
    assert creating_key(audit(later, later), ROSTERS) is None


def test_no_record_or_no_creator_is_the_agents() -> None:
    row = audit(WRITTEN, WRITTEN)
    assert creating_key(row, None) is None
    assert changing_key(row, None) is None
    changed_only = Origin(created_by=None, changed_by=KEY, changed_at=WRITTEN)
    assert creating_key(row, changed_only) is None
    assert changing_key(row, changed_only) == KEY


def test_labels() -> None:
    assert KEY.label == "frontend"
    assert KeyRef(0, None).label == "anonymous"
    assert KeyRef(9, None).label == "key #9"


def test_keys_are_natural_and_case_folded() -> None:
    group = GroupRecord(7, "admins", None, Validity.VALID, audit(WRITTEN, WRITTEN))
    assert origin_key(group) == OriginKey(ObjectType.GROUP, "7")
    assert OriginKey.customer("ACME") == OriginKey(ObjectType.CUSTOMER, "acme")
    assert OriginKey.customer_user("Ada") == OriginKey.customer_user("ADA")
    assert origin_key(object()) is None
