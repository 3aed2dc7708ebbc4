"""What a committed write announces (``domain.live``): the object it returned, created,
updated or renamed, and every object on either side of an assignment's changed rows, once."""

from __future__ import annotations

from domain.assignments import Change as RowChange
from domain.assignments import ChangeKind, UserCustomerRow, UserGroupRow, UserServiceRow
from domain.audit import Action as AuditAction
from domain.audit import AuditEvent
from domain.live import (
    Action,
    Notice,
    decode,
    encode,
    notices_of,
    notices_of_events,
    with_positions,
)
from domain.origins import ObjectType, OriginKey
from domain.records import Audit, CustomerUserRecord

AT = 1_700_000_000.5


def _user(login: str) -> CustomerUserRecord:
    return CustomerUserRecord("db", login, {}, (), " ", (), Audit(None, None, None, None))


def test_a_created_updated_or_renamed_object() -> None:
    created = notices_of(created=True, record=_user("ann"), changes=[], found_key=None, at=AT)
    assert created == [Notice(ObjectType.CUSTOMER_USER, "ann", Action.CREATED, AT)]
    updated = notices_of(created=False, record=_user("ann"), changes=[], found_key="ann", at=AT)
    assert [n.action for n in updated] == [Action.UPDATED]
    renamed = notices_of(created=False, record=_user("bea"), changes=[], found_key="ann", at=AT)
    assert renamed == [Notice(ObjectType.CUSTOMER_USER, "bea", Action.RENAMED, AT, "ann")]


def test_an_assignment_names_both_sides_once_and_not_the_default_services() -> None:
    rows = [
        RowChange(ChangeKind.ADDED, UserGroupRow("ann", 7, "rw")),
        RowChange(ChangeKind.REMOVED, UserGroupRow("ann", 7, "ro")),
        RowChange(ChangeKind.ADDED, UserCustomerRow("ann", "acme")),
        RowChange(ChangeKind.ADDED, UserServiceRow("<DEFAULT>", 3)),
    ]
    notices = notices_of(created=False, record=None, changes=rows, found_key="ann", at=AT)
    assert [(n.type, n.key) for n in notices] == [
        (ObjectType.CUSTOMER_USER, "ann"),
        (ObjectType.GROUP, "7"),
        (ObjectType.CUSTOMER, "acme"),
        (ObjectType.SERVICE, "3"),
    ]


def test_notices_cross_the_broker_unchanged() -> None:
    notices = [
        Notice(ObjectType.GROUP, "7", Action.UPDATED, AT),
        Notice(ObjectType.CUSTOMER_USER, "bea", Action.RENAMED, AT, "ann", position=42),
    ]
    assert decode(encode(notices)) == notices


def test_a_notice_carries_its_objects_last_feed_position() -> None:
    events = [
        (10, AuditEvent(OriginKey.customer_user("Ann"), "Ann", AuditAction.UPDATED)),
        (11, AuditEvent(OriginKey.group(7), "7", AuditAction.ASSIGNMENTS_CHANGED)),
        (12, AuditEvent(OriginKey.customer_user("Ann"), "Ann", AuditAction.ASSIGNMENTS_CHANGED)),
    ]
    notices = [
        Notice(ObjectType.CUSTOMER_USER, "ANN", Action.UPDATED, AT),
        Notice(ObjectType.GROUP, "7", Action.UPDATED, AT),
        Notice(ObjectType.SERVICE, "3", Action.UPDATED, AT),
    ]
    assert [n.position for n in with_positions(notices, events)] == [12, 11, None]


def test_an_import_is_announced_per_object_from_its_events() -> None:
    events = [
        (5, AuditEvent(OriginKey.customer_user("Ann"), "Ann", AuditAction.CREATED)),
        (6, AuditEvent(OriginKey.customer_user("Ann"), "Ann", AuditAction.ASSIGNMENTS_CHANGED)),
        (7, AuditEvent(OriginKey.group(7), "7", AuditAction.ASSIGNMENTS_CHANGED)),
        (8, AuditEvent(OriginKey.customer_user("Bea"), "Bea", AuditAction.SESSION_STARTED)),
    ]
    assert notices_of_events(events, AT) == [
        Notice(ObjectType.CUSTOMER_USER, "Ann", Action.CREATED, AT, position=6),
        Notice(ObjectType.GROUP, "7", Action.UPDATED, AT, position=7),
    ]
