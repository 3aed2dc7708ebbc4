"""Customer (company) writes: the typed change and its validation.

OTOBO's company backend checks nothing and lets the database fail; we check required fields,
characters and lengths first so the caller gets typed problems and nothing is written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from domain.changes import UNSET, Unset, is_given
from domain.errors import ErrorCode, Problem
from domain.text import check_text, is_blank
from domain.validity import Validity


@dataclass(frozen=True, slots=True)
class CustomerField:
    """One text field of a customer as OTOBO's ``customer_company`` stores it."""

    column: str
    max_length: int
    required: bool = False
    multiline: bool = False
    label: str | None = None
    """How a message names the field when that is not its domain name (the API's wording
    since the first release: "customerId is required.")."""


CUSTOMER_FIELDS: dict[str, CustomerField] = {
    "customer_id": CustomerField("customer_id", 150, required=True, label="customerId"),
    "name": CustomerField("name", 191, required=True),
    "street": CustomerField("street", 200, multiline=True),
    "zip": CustomerField("zip", 200),
    "city": CustomerField("city", 200),
    "country": CustomerField("country", 200),
    "url": CustomerField("url", 200),
    "comment": CustomerField("comments", 250, multiline=True),
}
"""The text fields by domain name (the names of :class:`CustomerChanges`' fields)."""


@dataclass(frozen=True, slots=True)
class CustomerChanges:
    """The values of a customer create, or the patch of an update (``UNSET``: keep).

    ``None`` clears an optional field. On an update ``customer_id`` is the NEW customer ID
    (a rename); the customer to change is named apart from the change.
    """

    customer_id: str | Unset | None = UNSET
    name: str | Unset | None = UNSET
    street: str | Unset | None = UNSET
    zip: str | Unset | None = UNSET
    city: str | Unset | None = UNSET
    country: str | Unset | None = UNSET
    url: str | Unset | None = UNSET
    comment: str | Unset | None = UNSET
    validity: Validity | Unset | None = UNSET

    def trimmed(self) -> CustomerChanges:
        """Customer IDs and names are identifiers people paste with stray spaces."""
        return dataclasses.replace(
            self,
            customer_id=_strip(self.customer_id),
            name=_strip(self.name),
        )


def _strip(value: str | Unset | None) -> str | Unset | None:
    return value.strip() if isinstance(value, str) else value


def validate_customer(change: CustomerChanges, *, creating: bool) -> list[Problem]:
    """Problems with a customer create (all fields; one not given counts as missing) or
    patch (the given fields only), every one at once."""
    problems: list[Problem] = []
    for name, spec in CUSTOMER_FIELDS.items():
        given = getattr(change, name)
        if not is_given(given) and not creating:
            continue
        value = given if is_given(given) else None
        path = (name,)
        if spec.required and is_blank(value):
            label = spec.label or name
            problems.append(Problem(path, ErrorCode.REQUIRED, f"{label} is required."))
            continue
        if isinstance(value, str):
            problems.extend(
                check_text(value, field=path, max_length=spec.max_length, multiline=spec.multiline)
            )
    if change.validity is None:
        problems.append(Problem(("validity",), ErrorCode.REQUIRED, "validity is required."))
    return problems
