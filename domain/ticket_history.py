"""The names of OTOBO's ``ticket_history`` rows that Roster writes, as OTOBO spells them, so
OTOBO's history screen renders them (``%%``-separated arguments of a translated message).

- ``CustomerUpdate`` (``Kernel/System/Ticket.pm`` sub ``TicketCustomerSet``):
  ``%%CustomerID=<no>;CustomerUser=<user>;`` with only the parts that were written;
- ``TicketDynamicFieldUpdate`` (``Kernel/System/DynamicField/ObjectType/Ticket.pm`` sub
  ``PostValueSet``): ``%%FieldName%%<name>%%Value%%<new>%%OldValue%%<old>``, shortened as
  OTOBO shortens it so the name fits the column's 200 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.dynamic_fields import ValueRow

NAME_LENGTH = 200
"""``ticket_history.name`` is VARCHAR(200); OTOBO's ``HistoryAdd`` cuts there."""

_ROOM = 166
"""What ``PostValueSet`` leaves for the field name, value and old value together."""


def customer_update_name(customer_id: str | None, customer_user: str | None) -> str:
    """``TicketCustomerSet``'s history name: the parts written (``None``: not written)."""
    parts = ""
    if customer_id is not None:
        parts += f"CustomerID={customer_id};"
    if customer_user is not None:
        parts += f"CustomerUser={customer_user};"
    return ("%%" + parts)[:NAME_LENGTH]


def readable(rows: Sequence[ValueRow]) -> str:
    """A field's stored rows as text, as ``ReadableValueRender`` shows them (``''``: none;
    several rows, a multiselect's, joined with ``,``)."""
    values: list[str] = []
    for row in rows:
        if row.value_text is not None:
            values.append(row.value_text)
        elif row.value_date is not None:
            values.append(row.value_date.strftime("%Y-%m-%d %H:%M:%S"))
        elif row.value_int is not None:
            values.append(str(row.value_int))
    return ",".join(values)


def field_update_name(field: str, value: str, old: str) -> str:
    """``PostValueSet``'s history name, with OTOBO's shortening (``[...]`` marks a cut)."""
    if len(field) + len(value) + len(old) > _ROOM:
        if len(old) > 55:
            old = old[:50] + "[...]"
        field_room = (_ROOM - len(old)) // 2
        value_room = field_room
        if len(field) > field_room:
            if len(value) > value_room:
                field = field[: field_room - 5] + "[...]"
                value = value[: value_room - 5] + "[...]"
            else:
                field = field[: _ROOM - len(old) - len(value) - 5] + "[...]"
        else:
            value_room = _ROOM - len(old) - len(field) - 5
            if len(value) > value_room:
                value = value[:value_room] + "[...]"
    name = f"%%FieldName%%{field}%%Value%%{value}%%OldValue%%{old}"
    return name[:NAME_LENGTH]
