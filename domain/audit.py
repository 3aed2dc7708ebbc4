"""The audit trail's values: who acted, on which object, what changed. Pure, no I/O.

A write describes what it changed as :class:`AuditEvent`\\ s, one per object: the fields it
changed (before and after), the sets it changed (items added and removed), or only what it did
(``PASSWORD_SET``: never the password). The use cases build them with the helpers here and hand
them to ``resolvers.use_cases.audit_trail``; ``datasources.db.audit_events`` stores them in the
write's transaction, each with its position in commit order.

An assignment changes both sides of each row it adds or removes: the customer user gains a
group grant and the group a grantee. Each side gets its event (:func:`relation_events`), so the
history of either answers "who gave this user rw on that group, and when".
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from domain.assignments import (
    Change,
    ChangeKind,
    CustomerGroupRow,
    RelationRow,
    UserCustomerRow,
    UserGroupRow,
    UserServiceRow,
)
from domain.changes import is_given
from domain.field_map import PASSWORD, VALID_ID
from domain.origins import ObjectType, OriginKey
from domain.validity import Validity


class Action(enum.StrEnum):
    """What a write did to an object."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    """Fields changed: a rename and a validity change are updates of ``login`` / ``validity``."""
    PASSWORD_SET = "PASSWORD_SET"  # noqa: S105 - an action, not a secret
    ASSIGNMENTS_CHANGED = "ASSIGNMENTS_CHANGED"
    DEFAULT_SERVICES_CHANGED = "DEFAULT_SERVICES_CHANGED"
    TWO_FACTOR_SECRET_SET = "TWO_FACTOR_SECRET_SET"  # noqa: S105 - never the secret
    TWO_FACTOR_SECRET_CLEARED = "TWO_FACTOR_SECRET_CLEARED"  # noqa: S105
    SESSION_STARTED = "SESSION_STARTED"
    SESSIONS_REVOKED = "SESSIONS_REVOKED"


SESSION_ACTIONS = frozenset({Action.SESSION_STARTED, Action.SESSIONS_REVOKED})
"""Sign-ins and sign-outs: in the audit trail, not in the changes feed (no data changed)."""

HIDDEN_FIELDS = frozenset({PASSWORD})
"""Never written into an event, whatever a Map calls a column."""


@dataclass(frozen=True, slots=True)
class AuditActor:
    """Who acted: the API key (id and name at the time), and the customer session when the
    write was a customer's own (``meSetPassword``, a sign-out)."""

    key_id: int
    key_name: str
    session_id: int | None = None
    customer_login: str | None = None


@dataclass(frozen=True, slots=True)
class FieldChange:
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class SetChange:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What one write did to one object (``name``: its key as the object spells it)."""

    object: OriginKey
    name: str
    action: Action
    fields: Mapping[str, FieldChange] = field(default_factory=dict)
    sets: Mapping[str, SetChange] = field(default_factory=dict)

    def changes_json(self) -> str:
        """The stored form: ``{"fields": {f: {"before", "after"}}, "sets": {s: {"added",
        "removed"}}}``, keys sorted, compact, non-ASCII as is. Through orjson (a bulk import
        writes ~3 events a user: ``json.dumps`` was 10 µs of them each, orjson ~1 µs); what
        orjson refuses (a lone surrogate, an integer beyond 64 bits) goes through ``json``."""
        data = {
            "fields": {k: {"before": v.before, "after": v.after} for k, v in self.fields.items()},
            "sets": {
                k: {"added": list(v.added), "removed": list(v.removed)}
                for k, v in self.sets.items()
            },
        }
        try:
            return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
        except orjson.JSONEncodeError:
            return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read back, with its position (its id: commit order) and time."""

    position: int
    occurred_at: datetime
    actor: AuditActor
    event: AuditEvent


def changes_from_json(text: str) -> tuple[dict[str, FieldChange], dict[str, SetChange]]:
    data = json.loads(text)
    fields = {k: FieldChange(v.get("before"), v.get("after")) for k, v in data["fields"].items()}
    sets = {
        k: SetChange(tuple(v.get("added", ())), tuple(v.get("removed", ())))
        for k, v in data["sets"].items()
    }
    return fields, sets


def plain(value: Any) -> Any:
    """A value as an event stores it: JSON's own types; a validity by its name."""
    if value is None or type(value) is str or type(value) is int:  # most values (not enums)
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, FieldChange]:
    """The fields of ``after`` (a patch, or a created object's values) whose value differs
    from ``before``'s (absent: None); hidden fields never."""
    changed: dict[str, FieldChange] = {}
    if not before:  # a create (a bulk import makes thousands): every given value, as it is
        for name, value in after.items():
            if name in HIDDEN_FIELDS or value is None:
                continue
            new = value if type(value) is str else plain(value)
            if new is not None:
                changed[name] = FieldChange(None, new)
        return changed
    for name, value in after.items():
        if name in HIDDEN_FIELDS:
            continue
        old, new = plain(before.get(name)), plain(value)
        if old != new:
            changed[name] = FieldChange(old, new)
    return changed


def customer_user_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A customer user's Map values as events name them: the validity by name. (One copy,
    then the one validity converted: not a test of every name against ``ValidID``.)"""
    named = {name: value for name, value in values.items() if name not in HIDDEN_FIELDS}
    valid_id = named.get(VALID_ID)
    if valid_id is not None:
        named[VALID_ID] = Validity.from_id(int(valid_id))
    return named


def given(change: Any, names: Iterable[str]) -> dict[str, Any]:
    """The fields of a typed change (``domain.changes``) that were given (not ``UNSET``)."""
    return {name: getattr(change, name) for name in names if is_given(getattr(change, name))}


def event(
    key: OriginKey,
    name: str,
    action: Action,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """An event of fields changed from ``before`` to ``after`` (a create: no ``before``)."""
    return AuditEvent(key, name, action, field_changes(before or {}, after or {}))


# ---- assignments: both sides of every relation row -----------------------------------------


_USER, _CUSTOMER, _GROUP, _SERVICE = (
    str(t.value)
    for t in (ObjectType.CUSTOMER_USER, ObjectType.CUSTOMER, ObjectType.GROUP, ObjectType.SERVICE)
)
"""The object types as plain texts: a dict keyed by a tuple with an enum member hashes it
through ``Enum.__hash__`` (Python code), a plain text at C speed."""
_TYPES = {str(t.value): t for t in ObjectType}

_Side = tuple[str, str, str, str, str]


def _sides(row: RelationRow) -> tuple[_Side, _Side]:
    """(object type's value, object key, its name, set name, item) for each side of ``row``."""
    if isinstance(row, UserCustomerRow):
        login, cid = row.login, row.customer_id
        return (
            (_USER, login.lower(), login, "customers", cid),
            (_CUSTOMER, cid.lower(), cid, "customer_users", login),
        )
    if isinstance(row, UserGroupRow):
        gid, login = str(row.group_id), row.login
        return (
            (_USER, login.lower(), login, "groups", f"{gid}:{row.permission}"),
            (_GROUP, gid, gid, "customer_users", f"{login}:{row.permission}"),
        )
    if isinstance(row, CustomerGroupRow):
        gid, tail, cid = str(row.group_id), f"{row.permission}:{row.context}", row.customer_id
        return (
            (_CUSTOMER, cid.lower(), cid, "groups", f"{gid}:{tail}"),
            (_GROUP, gid, gid, "customers", f"{cid}:{tail}"),
        )
    assert isinstance(row, UserServiceRow)
    sid = str(row.service_id)
    return (
        (_USER, row.login.lower(), row.login, "services", sid),
        (_SERVICE, sid, sid, "customer_users", row.login),
    )


def relation_events(changes: Sequence[Change]) -> list[AuditEvent]:
    """One ``ASSIGNMENTS_CHANGED`` event per object on either side of the rows changed, each
    with the items its sets gained and lost, in a stable order (objects as first met).
    (Objects are gathered by plain texts, an :class:`OriginKey` made once per object: a
    bulk import's batch has ~3,000 changes.)"""
    found: dict[tuple[str, str], tuple[str, dict[str, tuple[list[str], list[str]]]]] = {}
    for change in changes:
        position = 0 if change.kind is ChangeKind.ADDED else 1
        for object_type, object_key, name, set_name, item in _sides(change.row):
            entry = found.get((object_type, object_key))
            if entry is None:
                entry = found[(object_type, object_key)] = (name, {})
            lists = entry[1].get(set_name)
            if lists is None:
                lists = entry[1][set_name] = ([], [])
            lists[position].append(item)
    return [
        AuditEvent(
            OriginKey(_TYPES[object_type], object_key),
            name,
            Action.ASSIGNMENTS_CHANGED,
            sets={s: SetChange(tuple(a), tuple(r)) for s, (a, r) in sorted(sets.items())},
        )
        for (object_type, object_key), (name, sets) in found.items()
    ]


def default_service_events(added: Sequence[int], removed: Sequence[int]) -> list[AuditEvent]:
    """A change of the default services: an event per service that became or stopped being
    one (``default`` false → true, or back)."""
    return [
        AuditEvent(
            OriginKey.service(service_id),
            str(service_id),
            Action.DEFAULT_SERVICES_CHANGED,
            {"default": FieldChange(not now, now)},
        )
        for ids, now in ((added, True), (removed, False))
        for service_id in ids
    ]
