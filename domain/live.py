"""What a live update says: which object changed (its type and natural key), how, and when
its transaction committed. Pure data, encoded for the broker between server processes.

One mutation may change several objects (an assignment touches the user and the group): it
is published as one message of several notices. A notice carries no field values: a
subscriber reads the object again if it wants them (``customerUserChanged`` does), so a
notice never leaks a field the subscriber could not read, and never a password.

Changes-feed alignment: ``type`` + ``key`` are the object identity the feed of issue 18
reports (``domain.origins.ObjectType``, one enum for both), ``at`` the commit time, and
``position`` the feed position of the object's last event in the committing transaction
(``unit_of_work`` hands the committed events to the publisher), so a subscriber resumes the
feed exactly after a notice. Live notices are the prompt, the feed the record: a subscriber
that must not miss anything (a broker outage, a reconnect) reads the feed from the cursor of
the last notice it handled.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from domain.assignments import (
    Change,
    CustomerGroupRow,
    UserCustomerRow,
    UserGroupRow,
    UserServiceRow,
)
from domain.audit import SESSION_ACTIONS, AuditEvent
from domain.audit import Action as AuditAction
from domain.origins import ObjectType, OriginKey
from domain.records import CustomerRecord, CustomerUserRecord, GroupRecord
from domain.services import ServiceRecord

DEFAULT_SERVICES_LOGIN = "<DEFAULT>"  # OTOBO's login of the default-services rows


class Action(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    RENAMED = "RENAMED"
    """Its key changed (``previous_key`` has the old one); other fields may have changed too."""


@dataclass(frozen=True, slots=True)
class Notice:
    type: ObjectType
    key: str
    """The natural key: login, customer ID, group id, service id (as text)."""
    action: Action
    at: float
    """When the transaction committed (seconds since the epoch, the writing server's clock)."""
    previous_key: str | None = None
    position: int | None = None
    """The changes feed's position after this change: the last audit event of this object
    in the committing transaction (None: it recorded none)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "t": self.type.value,
            "k": self.key,
            "a": self.action.value,
            "at": self.at,
            "p": self.previous_key,
            "c": self.position,
        }


def encode(notices: Iterable[Notice]) -> bytes:
    return orjson.dumps([notice.as_json() for notice in notices])


def decode(raw: bytes | str) -> list[Notice]:
    """The notices of one broker message; raises ``ValueError`` for a message that is not one."""
    try:
        items = orjson.loads(raw)
        return [
            Notice(
                ObjectType(i["t"]),
                str(i["k"]),
                Action(i["a"]),
                float(i["at"]),
                i.get("p"),
                None if i.get("c") is None else int(i["c"]),
            )
            for i in items
        ]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a live-update message: {exc}") from exc


def _record_identity(record: object) -> tuple[ObjectType, str] | None:
    if isinstance(record, CustomerUserRecord):
        return ObjectType.CUSTOMER_USER, record.login
    if isinstance(record, CustomerRecord):
        return ObjectType.CUSTOMER, record.customer_id
    if isinstance(record, GroupRecord):
        return ObjectType.GROUP, str(record.id)
    if isinstance(record, ServiceRecord):
        return ObjectType.SERVICE, str(record.id)
    return None


def _row_objects(change: Change) -> list[tuple[ObjectType, str]]:
    row = change.row
    found: list[tuple[ObjectType, str]] = []
    login = row.login if isinstance(row, UserCustomerRow | UserGroupRow | UserServiceRow) else None
    if login is not None and login != DEFAULT_SERVICES_LOGIN:
        found.append((ObjectType.CUSTOMER_USER, login))
    if isinstance(row, UserCustomerRow | CustomerGroupRow):
        found.append((ObjectType.CUSTOMER, row.customer_id))
    if isinstance(row, UserGroupRow | CustomerGroupRow):
        found.append((ObjectType.GROUP, str(row.group_id)))
    if isinstance(row, UserServiceRow):
        found.append((ObjectType.SERVICE, str(row.service_id)))
    return found


def notices_of(
    *,
    created: bool,
    record: object,
    changes: Iterable[Change],
    found_key: str | None,
    at: float,
) -> list[Notice]:
    """The notices of one committed write: the object it returned (``created`` or updated;
    renamed when ``found_key``, its stored key before the write, differs from the record's)
    and every object on either side of an added or removed relation row, each once.

    Not the key the mutation was called with: logins and customer IDs are found ignoring
    case, so ``JDoe`` for the stored ``jdoe`` is no rename, while ``jdoe`` to ``JDoe`` is one;
    and a mutation's first argument need not be a key at all (``meSetPassword``'s is the
    current password, which a notice must never carry)."""
    notices: list[Notice] = []
    seen: set[tuple[ObjectType, str]] = set()
    identity = _record_identity(record)
    if identity is not None:
        seen.add(identity)
        if created:
            notices.append(Notice(identity[0], identity[1], Action.CREATED, at))
        elif found_key is not None and found_key != identity[1]:
            notices.append(Notice(identity[0], identity[1], Action.RENAMED, at, found_key))
        else:
            notices.append(Notice(identity[0], identity[1], Action.UPDATED, at))
    for change in changes:
        for found in _row_objects(change):
            if found not in seen:
                seen.add(found)
                notices.append(Notice(found[0], found[1], Action.UPDATED, at))
    return notices


def _origin(object_type: ObjectType, key: str) -> OriginKey:
    lowered = object_type in (ObjectType.CUSTOMER_USER, ObjectType.CUSTOMER)
    return OriginKey(object_type, key.lower() if lowered else key)


def with_positions(
    notices: Sequence[Notice], events: Sequence[tuple[int, AuditEvent]]
) -> list[Notice]:
    """``notices`` with their feed positions: each object's last event among ``events`` (the
    committed transactions' events, with their positions)."""
    last = {event.object: position for position, event in events}
    return [
        dataclasses.replace(notice, position=last.get(_origin(notice.type, notice.key)))
        for notice in notices
    ]


def notices_of_events(events: Sequence[tuple[int, AuditEvent]], at: float) -> list[Notice]:
    """The notices of writes that return no one object (a bulk import): one per object its
    events name, CREATED when one of them created it, at its last event's position. (Sign-ins
    and sign-outs change no data: as in the feed, none.)"""
    found: dict[OriginKey, tuple[AuditEvent, bool, int]] = {}
    for position, event in events:
        if event.action in SESSION_ACTIONS:
            continue
        _, created, _ = found.get(event.object, (event, False, 0))
        found[event.object] = (event, created or event.action is AuditAction.CREATED, position)
    return [
        Notice(
            key.object_type,
            event.name,
            Action.CREATED if created else Action.UPDATED,
            at,
            position=position,
        )
        for key, (event, created, position) in found.items()
    ]
