"""Validation of customer (company) writes.

OTOBO's company backend checks nothing and lets the database fail; we check required fields,
characters and lengths first so the caller gets typed problems and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.errors import ErrorCode, Problem
from domain.text import check_text, is_blank

# GraphQL input name → (column, max length, required, multiline); OTOBO's customer_company.
CUSTOMER_FIELDS: dict[str, tuple[str, int, bool, bool]] = {
    "customerId": ("customer_id", 150, True, False),
    "name": ("name", 191, True, False),
    "street": ("street", 200, False, True),
    "zip": ("zip", 200, False, False),
    "city": ("city", 200, False, False),
    "country": ("country", 200, False, False),
    "url": ("url", 200, False, False),
    "comment": ("comments", 250, False, True),
}


def validate_customer(values: Mapping[str, Any], *, creating: bool) -> list[Problem]:
    """Problems with a customer create (all fields) or patch (the given fields)."""
    problems: list[Problem] = []
    for name, (_column, max_length, required, multiline) in CUSTOMER_FIELDS.items():
        if name not in values and not creating:
            continue
        value = values.get(name)
        path = ("input", name)
        if required and is_blank(value):
            problems.append(Problem(path, ErrorCode.REQUIRED, f"{name} is required."))
            continue
        if isinstance(value, str):
            problems.extend(
                check_text(value, field=path, max_length=max_length, multiline=multiline)
            )
    if "validity" in values and values["validity"] is None:
        problems.append(Problem(("input", "validity"), ErrorCode.REQUIRED, "validity is required."))
    return problems
