"""What a committed write announces (``domain.live``): the object it returned, created,
updated or renamed, and every object on either side of an assignment's changed rows, once."""

from __future__ import annotations

from domain.assignments import Change as RowChange
from domain.assignments import ChangeKind, UserCustomerRow, UserGroupRow, UserServiceRow
from domain.live import Action, Notice, decode, encode, notices_of
from domain.origins import ObjectType
from domain.records import Audit, CustomerUserRecord

AT = 1_700_000_000.5


def _user(login: str) -> CustomerUserRecord:
    return CustomerUserRecord("db", login, {}, (), " ", (), Audit(None, None, None, None))


def test_a_created_updated_or_renamed_object() -> None:
    created = notices_of(created=True, record=_user("ann"), changes=[], key=None, at=AT)
    assert created == [Notice(ObjectType.CUSTOMER_USER, "ann", Action.CREATED, AT)]
    updated = notices_of(created=False, record=_user("ann"), changes=[], key="ann", at=AT)
    assert [n.action for n in updated] == [Action.UPDATED]
    renamed = notices_of(created=False, record=_user("bea"), changes=[], key="ann", at=AT)
    assert renamed == [Notice(ObjectType.CUSTOMER_USER, "bea", Action.RENAMED, AT, "ann")]


def test_an_assignment_names_both_sides_once_and_not_the_default_services() -> None:
    rows = [
        RowChange(ChangeKind.ADDED, UserGroupRow("ann", 7, "rw")),
        RowChange(ChangeKind.REMOVED, UserGroupRow("ann", 7, "ro")),
        RowChange(ChangeKind.ADDED, UserCustomerRow("ann", "acme")),
        RowChange(ChangeKind.ADDED, UserServiceRow("<DEFAULT>", 3)),
    ]
    notices = notices_of(created=False, record=None, changes=rows, key="ann", at=AT)
    assert [(n.type, n.key) for n in notices] == [
        (ObjectType.CUSTOMER_USER, "ann"),
        (ObjectType.GROUP, "7"),
        (ObjectType.CUSTOMER, "acme"),
        (ObjectType.SERVICE, "3"),
    ]


def test_notices_cross_the_broker_unchanged() -> None:
    notices = [
        Notice(ObjectType.GROUP, "7", Action.UPDATED, AT),
        Notice(ObjectType.CUSTOMER_USER, "bea", Action.RENAMED, AT, "ann"),
    ]
    assert decode(encode(notices)) == notices
