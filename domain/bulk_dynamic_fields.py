"""Dynamic-field values in import and export files: a cell as the typed value the API takes
(``domain.dynamic_fields.encode`` checks it further), and a stored value as the cell an export
writes, so that export → import → export is byte-identical.

The cells, per declared type (the Map row's ``dynamic_field_type``):

- Text, TextArea, Dropdown: the text (a dropdown's key).
- Multiselect: the keys, ``de|en`` in CSV (a JSON array when a key holds ``|``), a JSON array
  in JSON Lines.
- Checkbox: ``1`` or ``0`` in CSV, ``true``/``false`` in JSON Lines (CSV also reads ``true``
  and ``false``).
- Date: ``YYYY-MM-DD``; DateTime: ISO 8601 (``2026-03-01T09:30:00``; with an offset it is
  turned into UTC, as the API stores it), in both formats.

An empty cell (``null``, ``[]``) erases the value, as the API's null does; a field that has no
stored value and an empty cell is left alone (a checkbox is not set to 0 by an empty cell).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.errors import ErrorCode, Problem

_TRUE = ("1", "true")
_FALSE = ("0", "false")


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def cell_value(
    attribute: str, value_type: str, cell: Any, *, text_cells: bool, names: Any
) -> Any | Problem:
    """The typed value of ``cell`` for a field declared ``value_type``, or the problem.
    ``names`` reads a list cell (``domain.bulk_rows``' reader, with its JSON-array form)."""
    where = (attribute,)
    if is_empty(cell):
        return None
    if value_type == "Multiselect":
        problems: list[Problem] = []
        keys = names(cell, attribute, problems, text_cells)
        return problems[0] if problems else keys
    if value_type == "Checkbox":
        if isinstance(cell, bool):
            return cell
        text = str(cell).strip().lower() if text_cells or isinstance(cell, int) else None
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        return Problem(where, ErrorCode.INVALID, "A checkbox takes 1 or 0 (true or false).")
    if value_type in ("Date", "DateTime"):
        if not isinstance(cell, str):
            return Problem(where, ErrorCode.INVALID, f"A {value_type} field takes ISO 8601 text.")
        try:
            if value_type == "Date":
                return date.fromisoformat(cell.strip())
            return datetime.fromisoformat(cell.strip())
        except ValueError:
            shape = "YYYY-MM-DD" if value_type == "Date" else "YYYY-MM-DDTHH:MM:SS"
            return Problem(where, ErrorCode.INVALID, f"Not a {value_type} ({shape}): {cell!r}.")
    return cell if not text_cells else str(cell)


def plain_value(value: Any) -> Any:
    """A typed value as JSON Lines (and the audit events, ``domain.dynamic_field_audit``) hold
    it: dates as ISO 8601 text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def text_cell(value: Any, names_cell: Any) -> str:
    """A typed value as a CSV cell (``names_cell`` writes a list, as the assignments')."""
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return str(names_cell(value))
    return str(plain_value(value))
