"""``customerUsersImport``: the bulk import of ``roster import``, up to 1,000 rows per call,
through the one mutation pipeline (admin scope)."""

from typing import Any

import strawberry

from domain.config import RosterConfig
from resolvers.mutations import run_mutation
from resolvers.use_cases import bulk_import
from schema.audit import Info
from schema.bulk_import import (
    CustomerUsersImportInput,
    CustomerUsersImportPayload,
    payload,
)
from schema.customer_user import CustomerUserTypes
from schema.permissions import ADMIN

CUSTOMER_USER_FIELDS = None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """No plain fields of its own."""


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class BulkImportQueries:
        pass

    return BulkImportQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class BulkImportMutations:
        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Import up to 1,000 customers and customer users (with their "
            "customers, groups and services) in one transaction, as `roster import` does: "
            "each row is created, updated, left unchanged (importing the same rows again "
            "changes nothing) or refused with its userErrors; refused rows never stop the "
            "others. With dryRun nothing is written.",
        )
        async def customer_users_import(
            self, info: Info, input: CustomerUsersImportInput
        ) -> CustomerUsersImportPayload:
            outcome = await run_mutation(
                info.context, bulk_import.import_rows, list(input.rows), dry_run=input.dry_run
            )
            return payload(outcome.record or [], outcome.problems, dry_run=input.dry_run)

    return BulkImportMutations
