"""Rows of a bulk import or export: what a file's columns mean, and one row as typed values.

One file (CSV or JSON Lines, ``app.bulk``) or one ``customerUsersImport`` call holds customers
and customer users, told apart by a ``type`` column (``customer`` or ``customer_user``; a file
without it holds customer users only). A column names a Map row by its attribute
(``UserEmail``, ``CustomerCompanyName``) or by its column (``email``, ``name``), for whichever
kind the row is, so one header serves both kinds of row. Besides the Maps a customer-user row
may have ``password`` (a new password in clear, hashed by the configured scheme) and its
assignments, each the complete set it is to have, as the assignment mutations take them:
``customers`` (customer IDs it also acts for), ``groups`` (group name → permissions) and
``services`` (full service names). The Maps' ``dynamic_field`` rows are columns too (by
attribute, ``DynamicField_Region``, or field name, ``Region``; cells as
``domain.bulk_dynamic_fields`` reads them), kept apart in ``ImportRow.dynamic``: they are
stored in OTOBO's dynamic-field tables, not the backend's. A customer row may have
``groups`` too (its grants in the ``Same`` context, OTOBO's ``group_customer``) and
``groups_other`` (its grants in the ``Other`` context, taken when ``customer_group.contexts``
has it). An assignment column that is absent leaves the stored set alone; present and empty,
it empties it.

Nothing here checks a value against the rules: that is ``domain.customer_user_rules`` and
``domain.customer_rules``, which the import runs as every create and update does. Only what
the file's shape decides is refused here: unknown columns, a missing key column, a cell that
is no list.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.bulk_dynamic_fields import cell_value
from domain.errors import ErrorCode, Problem
from domain.field_map import LOGIN, DynamicFieldMapRow, MapField

TYPE = "type"
PASSWORD = "password"  # noqa: S105 - a column name
CUSTOMERS = "customers"
GROUPS = "groups"
SERVICES = "services"
GROUPS_OTHER = "groups_other"
ASSIGNMENTS = (CUSTOMERS, GROUPS, SERVICES, GROUPS_OTHER)
USER_ONLY = (PASSWORD, CUSTOMERS, SERVICES)
CUSTOMER_ONLY = (GROUPS_OTHER,)
GRANT_CONTEXTS = {GROUPS: "Same", GROUPS_OTHER: "Other"}
"""A customer row's grant columns → the context (as configured) their grants are in."""
SPECIAL = (TYPE, PASSWORD, *ASSIGNMENTS)
"""Columns that are no Map row; they take precedence over a Map column of the same name."""
COMPANY_KEY = "CustomerID"
LIST_SEPARATOR = "|"
PERMISSION_SEPARATOR = ","


class RowKind(enum.Enum):
    CUSTOMER = "customer"
    CUSTOMER_USER = "customer_user"


KINDS = {kind.value: kind for kind in RowKind}
"""A ``type`` cell's text → its kind: a dict lookup, not ``RowKind(text)`` (the enum's
``__call__`` and ``.value`` run Python code, twice a row of a bulk import's two passes)."""
USER_KIND, CUSTOMER_KIND = RowKind.CUSTOMER_USER.value, RowKind.CUSTOMER.value


class ShapeError(ValueError):
    """The file cannot be imported at all (its header, its encoding, its syntax); the message
    names the line and what to fix."""


_VALUE, _HASH, _OTHER = 0, 1, 2
_PLANS_KEPT = 64
"""Plans kept per :class:`Columns` (a JSON Lines file may order its keys differently on
every line: those rows are planned each time, not kept without bound)."""
_Cell = tuple[str, int, str | None, bool]
"""A column of a row as :meth:`Columns.cell_plan` resolves it: (name, what it is: a Map value,
the password hash, or the other kind's column; the attribute; whether the Map's type is int)."""


@dataclass(frozen=True)
class Columns:
    """The two Maps a file's columns may name, and what each name means for each kind."""

    user_fields: tuple[MapField, ...]
    company_fields: tuple[MapField, ...]
    user_dynamic: tuple[DynamicFieldMapRow, ...] = ()
    company_dynamic: tuple[DynamicFieldMapRow, ...] = ()
    _names: dict[RowKind, dict[str, str]] = field(init=False, repr=False, compare=False)
    _dynamic: dict[RowKind, dict[str, DynamicFieldMapRow]] = field(
        init=False, repr=False, compare=False
    )
    _hashes: frozenset[str] = field(init=False, repr=False, compare=False)
    _types: dict[RowKind, dict[str, str]] = field(init=False, repr=False, compare=False)
    _plans: dict[tuple[RowKind, tuple[str, ...]], tuple[_Cell, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        # Looked up for every cell of every row: resolved once (an attribute before a column).
        dynamic = {
            RowKind.CUSTOMER_USER: {r.attribute: r for r in self.user_dynamic},
            RowKind.CUSTOMER: {r.attribute: r for r in self.company_dynamic},
        }
        object.__setattr__(self, "_dynamic", dynamic)
        names: dict[RowKind, dict[str, str]] = {}
        for kind, fields in (
            (RowKind.CUSTOMER_USER, self.user_fields),
            (RowKind.CUSTOMER, self.company_fields),
        ):
            readable = [f for f in fields if not f.is_password]
            readable += [r.as_map_field() for r in self.dynamic(kind).values()]
            by_name = {f.column: f.attribute for f in reversed(readable)}
            by_name |= {f.attribute: f.attribute for f in reversed(readable)}
            names[kind] = by_name
        object.__setattr__(self, "_names", names)
        hashes = frozenset(
            n for f in self.user_fields if f.is_password for n in (f.attribute, f.column)
        )
        object.__setattr__(self, "_hashes", hashes)
        types = {
            RowKind.CUSTOMER_USER: {f.attribute: f.type for f in self.user_fields},
            RowKind.CUSTOMER: {f.attribute: f.type for f in self.company_fields},
        }
        object.__setattr__(self, "_types", types)

    def dynamic(self, kind: RowKind) -> dict[str, DynamicFieldMapRow]:
        """The ``dynamic_field`` Map rows of ``kind``, by attribute."""
        return self._dynamic[kind]

    def attribute(self, kind: RowKind, name: str) -> str | None:
        """The Map attribute ``name`` (an attribute or a column) names for ``kind``."""
        return self._names[kind].get(name)

    def cell_plan(self, kind: RowKind, names: tuple[str, ...]) -> tuple[_Cell, ...]:
        """What each column of a ``kind`` row with the columns ``names`` is (a row's cells
        are read by this plan): resolved once per header and kind, not per cell, as every
        row of a file has the same columns (the figures: bench/README.md, bulk import)."""
        plan = self._plans.get((kind, names))
        if plan is None:
            types = self._types[kind]
            cells: list[_Cell] = []
            for name in names:
                if name in SPECIAL:
                    continue
                if self.is_password_hash(name):
                    cells.append((name, _HASH, None, False))
                    continue
                attribute = self.attribute(kind, name)
                if attribute is None:
                    cells.append((name, _OTHER, None, False))
                else:
                    cells.append((name, _VALUE, attribute, types.get(attribute) == "int"))
            plan = tuple(cells)
            if len(self._plans) < _PLANS_KEPT:
                self._plans[(kind, names)] = plan
        return plan

    def is_password_hash(self, name: str) -> bool:
        """Whether ``name`` is the customer-user Map's password row (a stored hash, as
        ``roster export --with-password-hashes`` writes it)."""
        return name in self._hashes

    @property
    def password_attribute(self) -> str | None:
        return next((f.attribute for f in self.user_fields if f.is_password), None)

    def unknown(self, names: Sequence[str]) -> list[str]:
        """The names that mean nothing for either kind of row."""
        return [
            n
            for n in names
            if n not in SPECIAL
            and not self.is_password_hash(n)
            and self.attribute(RowKind.CUSTOMER_USER, n) is None
            and self.attribute(RowKind.CUSTOMER, n) is None
        ]

    def check_header(self, names: Sequence[str]) -> None:
        """Refuse a header with unknown, repeated or missing key columns (``ShapeError``)."""
        unknown = self.unknown(names)
        if unknown:
            raise ShapeError(
                f"unknown column(s): {', '.join(unknown)} (a column is a Map attribute or "
                f"column, or one of {', '.join(SPECIAL)})"
            )
        meanings = [
            (self.attribute(RowKind.CUSTOMER_USER, n), self.attribute(RowKind.CUSTOMER, n), n)
            for n in names
        ]
        seen: dict[tuple[str | None, str | None, str], str] = {}
        for name, meaning in zip(names, meanings, strict=True):
            key = (meaning[0], meaning[1], name if name in SPECIAL else "")
            if key in seen:
                raise ShapeError(f"columns {seen[key]!r} and {name!r} name the same field")
            seen[key] = name
        has_login = any(m[0] == LOGIN for m in meanings)
        has_company = any(m[1] == COMPANY_KEY for m in meanings)
        if TYPE not in names and not has_login:
            raise ShapeError(f"missing required column: {LOGIN} (or its Map column)")
        if TYPE in names and not (has_login or has_company):
            raise ShapeError(f"missing required column: {LOGIN} or {COMPANY_KEY}")


@dataclass(slots=True)
class ImportRow:
    """One row as read: ``line`` is where it starts in the file (1-based; for the API, its
    index), ``values`` the Map values by attribute (only the columns given), ``raw`` the row
    as the file had it (for the reject file)."""

    line: int
    kind: RowKind
    values: dict[str, Any]
    raw: Mapping[str, Any]
    password: str | None = None
    password_hash: str | None = None
    """A stored hash to write as it is (never hashed again, never checked by the policy)."""
    customers: list[str] | None = None
    groups: dict[str, tuple[str, ...]] | None = None
    services: list[str] | None = None
    dynamic: dict[str, Any] = field(default_factory=dict)
    """The Map's dynamic-field values the row gives, typed, by attribute (None: erase)."""
    context_groups: dict[str, dict[str, tuple[str, ...]]] | None = None
    """A customer row's grants by grant column (``groups``, ``groups_other``): only the
    columns the file has."""
    problems: list[Problem] = field(default_factory=list)
    broken: bool = False
    """No row at all (not a JSON object, a CSV line with the wrong number of cells): only
    ``problems`` are reported for it."""

    _key: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def key(self) -> str:
        """The login or customer ID as given ("" when missing). Read ~7 times a row by a
        bulk import (duplicates, the batch's lookups, the seen-keys file): worked out once,
        when first read (``values`` is complete by then: ``parse_row`` fills it first)."""
        key = self._key
        if key is None:
            attribute = LOGIN if self.kind is RowKind.CUSTOMER_USER else COMPANY_KEY
            value = self.values.get(attribute)
            key = self._key = value.strip() if isinstance(value, str) else ""
        return key


def parse_row(
    columns: Columns, line: int, raw: Mapping[str, Any], *, text_cells: bool
) -> ImportRow:
    """``raw`` (column → cell) as an :class:`ImportRow`. ``text_cells``: every cell is text
    (CSV), so an empty cell is no value (None), a number is read from its digits and a list
    from its ``|``-separated form; JSON Lines cells keep their JSON types."""
    kind_text = raw.get(TYPE) or USER_KIND
    problems: list[Problem] = []
    found = KINDS.get(str(kind_text).strip().lower())
    if found is not None:
        kind = found
    else:
        kind = RowKind.CUSTOMER_USER
        message = f"type must be customer or customer_user, not {kind_text!r}."
        problems.append(Problem((TYPE,), ErrorCode.INVALID, message))
    dynamic = columns.dynamic(kind)
    row = ImportRow(line=line, kind=kind, values={}, raw=raw, problems=problems)
    values = row.values
    for name, what, attribute, is_int in columns.cell_plan(kind, tuple(raw)):
        cell = raw[name]
        if what == _HASH:
            if kind is RowKind.CUSTOMER_USER and not _blank(cell):
                row.password_hash = _text(cell, name, row.problems)
            continue
        if attribute is None:  # the other kind's column: ignored when empty
            if not _blank(cell):
                message = f"Column {name!r} is not a field of a {kind.value} row."
                row.problems.append(Problem((name,), ErrorCode.INVALID, message))
            continue
        if attribute in dynamic:
            _dynamic_cell(row, dynamic[attribute], cell, text_cells)
            continue
        value = None if text_cells and cell == "" else cell
        if is_int and isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if attribute in values:
            if _blank(value):
                continue  # one column for each kind (customer_id): the other's is empty here
            if not _blank(values[attribute]) and values[attribute] != value:
                message = f"Two columns give {attribute} different values."
                row.problems.append(Problem((name,), ErrorCode.INVALID, message))
        values[attribute] = value
    if kind is RowKind.CUSTOMER:
        _not_taken(raw, USER_ONLY, kind, row.problems)
        row.context_groups = {
            name: _grants(raw[name], name, row.problems, text_cells)
            for name in GRANT_CONTEXTS
            if name in raw
        }
        return row
    _not_taken(raw, CUSTOMER_ONLY, kind, row.problems)
    if PASSWORD in raw and not _blank(raw[PASSWORD]):
        row.password = _text(raw[PASSWORD], PASSWORD, row.problems)
    if CUSTOMERS in raw:
        row.customers = _names(raw[CUSTOMERS], CUSTOMERS, row.problems, text_cells)
    if SERVICES in raw:
        row.services = _names(raw[SERVICES], SERVICES, row.problems, text_cells)
    if GROUPS in raw:
        row.groups = _grants(raw[GROUPS], GROUPS, row.problems, text_cells)
    return row


def _dynamic_cell(row: ImportRow, map_row: DynamicFieldMapRow, cell: Any, text_cells: bool) -> None:
    value = cell_value(
        map_row.attribute, map_row.value_type, cell, text_cells=text_cells, names=_names
    )
    if isinstance(value, Problem):
        row.problems.append(value)
    elif map_row.attribute in row.dynamic and row.dynamic[map_row.attribute] != value:
        message = f"Two columns give {map_row.attribute} different values."
        row.problems.append(Problem((map_row.attribute,), ErrorCode.INVALID, message))
    else:
        row.dynamic[map_row.attribute] = value


def _not_taken(
    raw: Mapping[str, Any], names: Sequence[str], kind: RowKind, problems: list[Problem]
) -> None:
    for name in names:
        if not _blank(raw.get(name)):
            message = f"{name} is not taken for a {kind.value} row."
            problems.append(Problem((name,), ErrorCode.INVALID, message))


def _blank(cell: Any) -> bool:
    return cell is None or cell == "" or cell == [] or cell == {}


def _text(cell: Any, name: str, problems: list[Problem]) -> str | None:
    if isinstance(cell, str):
        return cell
    problems.append(Problem((name,), ErrorCode.INVALID, f"{name} must be text."))
    return None


def _names(cell: Any, name: str, problems: list[Problem], text_cells: bool) -> list[str]:
    """A list of names: a JSON array, or in a CSV cell ``a|b`` (or a JSON array, for names
    that hold ``|``)."""
    if text_cells and isinstance(cell, str):
        if cell.startswith("["):
            cell = _json_cell(cell, name, problems)
        else:
            return [part for part in cell.split(LIST_SEPARATOR) if part != ""]
    if isinstance(cell, list) and all(isinstance(v, str) for v in cell):
        return list(cell)
    if cell is not None:
        problems.append(Problem((name,), ErrorCode.INVALID, f"{name} must be a list of names."))
    return []


def _grants(
    cell: Any, name: str, problems: list[Problem], text_cells: bool
) -> dict[str, tuple[str, ...]]:
    """Group name → permissions: a JSON object of arrays, or in a CSV cell
    ``users:ro,rw|admin:rw`` (or the JSON object, for names that hold ``|`` or ``:``)."""
    if text_cells and isinstance(cell, str):
        if cell.startswith("{"):
            cell = _json_cell(cell, name, problems)
        else:
            grants: dict[str, tuple[str, ...]] = {}
            for part in filter(None, cell.split(LIST_SEPARATOR)):
                group, colon, permissions = part.rpartition(":")
                if not colon or not group:
                    message = f"{name}: {part!r} is not group:permission[,permission]."
                    problems.append(Problem((name,), ErrorCode.INVALID, message))
                    continue
                grants[group] = tuple(p for p in permissions.split(PERMISSION_SEPARATOR) if p)
            return grants
    if isinstance(cell, dict) and all(
        isinstance(v, list) and all(isinstance(p, str) for p in v) for v in cell.values()
    ):
        return {str(k): tuple(v) for k, v in cell.items()}
    if cell is not None:
        message = f"{name} must map group names to lists of permissions."
        problems.append(Problem((name,), ErrorCode.INVALID, message))
    return {}


def _json_cell(cell: str, name: str, problems: list[Problem]) -> Any:
    try:
        return json.loads(cell)
    except ValueError:
        problems.append(Problem((name,), ErrorCode.INVALID, f"{name}: not valid JSON."))
        return None


# ---- the export's side: values to cells -------------------------------------------------------


def names_cell(names: Sequence[str]) -> str:
    """A list as a CSV cell: ``a|b``, or a JSON array when a name would be misread so."""
    if any(LIST_SEPARATOR in n or n == "" for n in names) or (names and names[0].startswith("[")):
        return json.dumps(list(names), ensure_ascii=False)
    return LIST_SEPARATOR.join(names)


def grants_cell(grants: Mapping[str, Sequence[str]]) -> str:
    """Group grants as a CSV cell: ``users:ro,rw|admin:rw``, or a JSON object when a name
    would be misread so."""
    awkward = any(
        LIST_SEPARATOR in g or ":" in g or g == "" or g.startswith("{") for g in grants
    ) or any(
        LIST_SEPARATOR in p or PERMISSION_SEPARATOR in p or ":" in p
        for ps in grants.values()
        for p in ps
    )
    if awkward:
        return json.dumps({g: list(p) for g, p in grants.items()}, ensure_ascii=False)
    return LIST_SEPARATOR.join(f"{g}:{PERMISSION_SEPARATOR.join(p)}" for g, p in grants.items())


def value_cell(value: Any) -> str:
    """A Map value as a CSV cell (None: empty)."""
    return "" if value is None else str(value)


def header(columns: Columns, *, with_hashes: bool, password_attribute: str | None) -> list[str]:
    """The export's columns: ``type``, the customer Map, the customer-user Map (a column both
    Maps have once), the password hash when asked for, then the assignments."""
    names: list[str] = [TYPE]
    for f in (
        *columns.company_fields,
        *(r.as_map_field() for r in columns.company_dynamic),
        *columns.user_fields,
        *(r.as_map_field() for r in columns.user_dynamic),
    ):
        if not f.is_password and f.attribute not in names:
            names.append(f.attribute)
    if with_hashes and password_attribute:
        names.append(password_attribute)
    return names + list(ASSIGNMENTS)
