"""The types of ``customerUsersImport``: rows in, one result per row out.

A row is a JSON object with the keys of a JSON Lines import file (``domain.bulk_rows``): Map
attributes or columns, ``type``, ``password``, ``customers``, ``groups``, ``services``,
``groups_other``. Each
row's problems are user errors at ``["input", "rows", "<index>", <field>]``, the field named
as the row names it (a Map attribute, or one of the special keys).
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.scalars import JSON

from domain.bulk_rows import RowKind
from domain.errors import Problem
from resolvers.use_cases.bulk_import import Action, RowResult
from schema.common import UserError, describe_values
from schema.problem_paths import INPUT

ImportActionEnum = strawberry.enum(
    Action,
    name="ImportAction",
    description="What an import did (or, on a dry run, would do) with a row.",
)
describe_values(
    ImportActionEnum,
    {
        "CREATED": "A new customer or customer user (with its assignments).",
        "UPDATED": "An existing one whose values, password or assignments differed.",
        "UNCHANGED": "An existing one that already had everything the row says.",
        "REFUSED": "Nothing was written for this row; its userErrors say why.",
    },
)
ImportRowKindEnum = strawberry.enum(
    RowKind, name="ImportRowKind", description="What a row of an import holds (its `type`)."
)
describe_values(
    ImportRowKindEnum,
    {
        "CUSTOMER": 'A customer (company): `"type": "customer"`.',
        "CUSTOMER_USER": 'A customer user, the default: `"type": "customer_user"`.',
    },
)


@strawberry.input(description="Rows to import, as the lines of a JSON Lines import file.")
class CustomerUsersImportInput:
    rows: list[JSON] = strawberry.field(
        description="At most 1,000 objects: customers (`type: customer`) and customer users "
        "by Map attribute or column (`UserLogin` or `login`, …), with `password`, and "
        "`customers`, `groups` ({name: [permissions]}) and `services` as the complete sets "
        "to have; a customer's `groups` and `groups_other` are its group grants in the Same "
        "and the Other context. Customers are imported first, so a user may "
        "name one of them."
    )
    dry_run: bool = strawberry.field(
        default=False, description="Check every row and report, but write nothing."
    )


@strawberry.type(description="What became of one row.")
class CustomerUsersImportRow:
    index: int = strawberry.field(description="The row's position in `rows`, from 0.")
    kind: ImportRowKindEnum = strawberry.field(description="Customer or customer user.")  # type: ignore[valid-type]
    key: str | None = strawberry.field(description="The row's login or customer ID.")
    action: ImportActionEnum = strawberry.field(  # type: ignore[valid-type]
        description="Created, updated, unchanged or refused."
    )
    changed: list[str] = strawberry.field(
        description="What an update wrote: Map attributes, `password`, assignment names."
    )
    user_errors: list[UserError] = strawberry.field(description="Why the row was refused.")


@strawberry.type(description="The result of customerUsersImport.")
class CustomerUsersImportPayload:
    dry_run: bool = strawberry.field(description="Whether this was a dry run (nothing written).")
    created: int = strawberry.field(description="Rows that created a record.")
    updated: int = strawberry.field(description="Rows that updated a record.")
    unchanged: int = strawberry.field(description="Rows that changed nothing.")
    refused: int = strawberry.field(description="Rows refused (nothing written for them).")
    rows: list[CustomerUsersImportRow] = strawberry.field(description="One result per row.")
    user_errors: list[UserError] = strawberry.field(
        description="Every row's problems, at their paths; and problems with the input as a "
        "whole (too many rows)."
    )


def row_errors(index: int, problems: Sequence[Problem]) -> list[UserError]:
    return [
        UserError(field=[INPUT, "rows", str(index), *p.field], message=p.message, code=p.code)
        for p in problems
    ]


def payload(
    results: Sequence[RowResult],
    problems: Sequence[Problem],
    *,
    dry_run: bool,
) -> CustomerUsersImportPayload:
    rows = [
        CustomerUsersImportRow(
            index=r.row.line,
            kind=r.row.kind,
            key=r.key or None,
            action=r.action,
            changed=list(r.changed),
            user_errors=row_errors(r.row.line, r.problems),
        )
        for r in results
    ]
    count = {action: sum(1 for r in results if r.action is action) for action in Action}
    errors = [UserError(field=[INPUT, *p.field], message=p.message, code=p.code) for p in problems]
    return CustomerUsersImportPayload(
        dry_run=dry_run,
        created=count[Action.CREATED],
        updated=count[Action.UPDATED],
        unchanged=count[Action.UNCHANGED],
        refused=count[Action.REFUSED],
        rows=rows,
        user_errors=errors + [e for row in rows for e in row.user_errors],
    )
