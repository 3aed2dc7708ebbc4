"""Customer users' dynamic-field values (the Map's ``dynamic_field`` rows): a page of users
reads every such field of every user in one statement (``CustomerUser.<field>``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from datasources.storage import Storage
from domain.dynamic_fields import CUSTOMER_COMPANY, decode, mismatch_problem
from domain.field_map import DynamicFieldMapRow
from loaders.batching import Loader


def customer_user_values_loader(storage: Storage) -> Loader[str, Mapping[str, Any]]:
    """login → {Map attribute: typed value} for the configured dynamic-field rows. A field
    that is missing, invalid, not a CustomerUser field or of another type than the Map
    declares reads as no value, as OTOBO's ``CustomerUserDataGet`` skips it."""
    rows = storage.config.customer_user.dynamic_field_rows()
    by_name = {row.name: row for row in rows}

    async def load(logins: Sequence[str]) -> list[Mapping[str, Any]]:
        found = await storage.dynamic_fields.customer_user_values(logins, list(by_name))
        answers: list[Mapping[str, Any]] = []
        for login in logins:
            typed: dict[str, Any] = {}
            for name, (definition, stored) in found.get(login, {}).items():
                row = by_name[name]
                if mismatch_problem(row.attribute, name, row.value_type, definition) is None:
                    typed[row.attribute] = decode(definition.field_type, stored)
            answers.append(typed)
        return answers

    return Loader(load_fn=load)


def customer_values_loader(storage: Storage) -> Loader[str, Mapping[str, Any]]:
    """CustomerID → {Map attribute: typed value} for the company Map's dynamic-field rows,
    as OTOBO's ``CustomerCompanyGet`` reads them (valid CustomerCompany fields of the
    declared type; values keyed by the customer ID exactly, as ``ObjectMappingGet``)."""
    return _values_loader(
        storage, CUSTOMER_COMPANY, storage.config.customer_company.dynamic_field_rows()
    )


def _values_loader(
    storage: Storage, object_type: str, rows: Sequence[DynamicFieldMapRow]
) -> Loader[str, Mapping[str, Any]]:
    by_name = {row.name: row for row in rows}

    async def load(names: Sequence[str]) -> list[Mapping[str, Any]]:
        found = await storage.dynamic_fields.object_values(object_type, names, list(by_name))
        answers: list[Mapping[str, Any]] = []
        for name_ in names:
            typed: dict[str, Any] = {}
            for name, (definition, stored) in found.get(name_, {}).items():
                row = by_name[name]
                problem = mismatch_problem(
                    row.attribute, name, row.value_type, definition, object_type
                )
                if problem is None:
                    typed[row.attribute] = decode(definition.field_type, stored)
            answers.append(typed)
        return answers

    return Loader(load_fn=load)
