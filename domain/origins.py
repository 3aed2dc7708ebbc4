"""Who wrote a row: an OTOBO agent, or the Roster API key that acted.

OTOBO's ``create_by``/``change_by`` hold agent ids (a foreign key to its ``users`` table), so
Roster writes the configured agent (``[database] agent_id``) there and keeps the API key that
acted in its own ``roster_record_origin`` row, one per object, keyed by the object's natural
key (:class:`OriginKey`). A row's author is then decided here, without I/O: the key when
Roster's record covers the row's time, else the agent the row names (OTOBO wrote or changed it
since, or Roster never did).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.records import Audit, CustomerRecord, CustomerUserRecord, GroupRecord
from domain.services import ServiceRecord

ANONYMOUS_KEY_ID = 0
"""The key id of the demo's keyless access (``auth.allow_anonymous``), which has no key row."""

CLOCK_SLACK = timedelta(seconds=1)
"""How much later than Roster's record a row's time must be to count as someone else's change.
OTOBO keeps whole seconds (MySQL's ``DATETIME``, PostgreSQL's ``timestamp(0)``, both rounding
the fraction Roster writes), so a time up to half a second past Roster's record is still
Roster's own write; a change by OTOBO within the same second cannot be told apart anyway."""


class ObjectType(enum.StrEnum):
    """The kinds of object whose rows Roster writes, as stored in ``object_type``."""

    CUSTOMER_USER = "customer_user"
    CUSTOMER = "customer"
    GROUP = "group"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class OriginKey:
    """One object, by its natural key: a lower-cased login or customer ID (both are unique
    case-insensitively), a group or service id as text."""

    object_type: ObjectType
    object_key: str

    @classmethod
    def customer_user(cls, login: str) -> OriginKey:
        return cls(ObjectType.CUSTOMER_USER, login.lower())

    @classmethod
    def customer(cls, customer_id: str) -> OriginKey:
        return cls(ObjectType.CUSTOMER, customer_id.lower())

    @classmethod
    def group(cls, group_id: int) -> OriginKey:
        return cls(ObjectType.GROUP, str(group_id))

    @classmethod
    def service(cls, service_id: int) -> OriginKey:
        return cls(ObjectType.SERVICE, str(service_id))


def origin_key(record: object) -> OriginKey | None:
    """The key of a record Roster may have written; None for anything else (a user of an
    LDAP backend, which has no audit columns and which Roster never writes)."""
    if isinstance(record, CustomerUserRecord):
        written = record.audit.created_by is not None
        return OriginKey.customer_user(record.login) if written else None
    if isinstance(record, CustomerRecord):
        return OriginKey.customer(record.customer_id)
    if isinstance(record, GroupRecord):
        return OriginKey.group(record.id)
    if isinstance(record, ServiceRecord):
        return OriginKey.service(record.id)
    return None


@dataclass(frozen=True, slots=True)
class KeyRef:
    """An API key as an origin names it: its id, and its name (None when no key row has it)."""

    id: int
    name: str | None

    @property
    def label(self) -> str:
        """What ``createdBy``/``changedBy`` show for it."""
        if self.id == ANONYMOUS_KEY_ID:
            return "anonymous"
        return self.name if self.name is not None else f"key #{self.id}"


@dataclass(frozen=True, slots=True)
class Origin:
    """Roster's record of one object: the key that created it (None: Roster did not), the
    key that last changed it, and when."""

    created_by: KeyRef | None
    changed_by: KeyRef
    changed_at: datetime


def _covers(origin: Origin, row_time: datetime | None) -> bool:
    """Whether Roster's last write is at least as recent as ``row_time``."""
    return row_time is None or row_time < origin.changed_at + CLOCK_SLACK


def creating_key(audit: Audit, origin: Origin | None) -> KeyRef | None:
    """The key that created the row, or None when an agent did (the row was created after
    Roster's last write: another object of the same key, made by OTOBO)."""
    if origin is None or origin.created_by is None or not _covers(origin, audit.created_at):
        return None
    return origin.created_by


def changing_key(audit: Audit, origin: Origin | None) -> KeyRef | None:
    """The key that last changed the row, or None when an agent changed it since."""
    if origin is None or not _covers(origin, audit.changed_at):
        return None
    return origin.changed_by
