"""Two-factor sign-in (OTOBO's GoogleAuthenticator): the admin's writes of a customer user's
secret and ``CustomerUser.twoFactorEnabled``. The check itself is a step of
``customerUserAuthenticate`` (``resolvers.use_cases.two_factor``)."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.config import RosterConfig
from resolvers.mutations import run_mutation
from resolvers.use_cases import two_factor as two_factor_use_cases
from schema.audit import Info
from schema.common import outcome_payload
from schema.customer_user import CustomerUserTypes
from schema.permissions import ADMIN
from schema.two_factor import (
    CustomerUserClearTwoFactorSecretInput,
    CustomerUserSetTwoFactorSecretInput,
    CustomerUserTwoFactorFields,
    CustomerUserTwoFactorSecretPayload,
)

CUSTOMER_USER_FIELDS = CustomerUserTwoFactorFields


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """``CustomerUser.twoFactorEnabled`` gets its reader with the rest of CustomerUser."""


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class TwoFactorQueries:
        pass

    return TwoFactorQueries


def _payload(info: Info, outcome: Any) -> CustomerUserTwoFactorSecretPayload:
    record = outcome.record
    return outcome_payload(
        CustomerUserTwoFactorSecretPayload,
        outcome,
        customer_user=None if record is None else info.context.customer_user_object(record),
    )


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class TwoFactorMutations:
        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Give a customer user a two-factor secret (OTOBO's "
            "GoogleAuthenticator, TOTP): with [customer_auth.two_factor] enabled, "
            "customerUserAuthenticate then needs the current code as otp. Replaces a secret "
            "the user had; the secret is never returned.",
        )
        async def customer_user_set_two_factor_secret(
            self, info: Info, input: CustomerUserSetTwoFactorSecretInput
        ) -> CustomerUserTwoFactorSecretPayload:
            outcome = await run_mutation(
                info.context, two_factor_use_cases.set_secret, input.login, input.secret
            )
            return _payload(info, outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Remove a customer user's two-factor secret: the password alone signs "
            "in again (unless [customer_auth.two_factor] allow_empty_secret is false: then "
            "the user cannot sign in until a secret is set). Idempotent.",
        )
        async def customer_user_clear_two_factor_secret(
            self, info: Info, input: CustomerUserClearTwoFactorSecretInput
        ) -> CustomerUserTwoFactorSecretPayload:
            outcome = await run_mutation(
                info.context, two_factor_use_cases.clear_secret, input.login
            )
            return _payload(info, outcome)

    return TwoFactorMutations
