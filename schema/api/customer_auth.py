"""Customer sign-in: ``customerUserAuthenticate``, for a customer portal's back end."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.config import RosterConfig
from resolvers.mutations import run_mutation
from resolvers.use_cases import customer_auth as auth_use_cases
from schema.audit import Info
from schema.common import outcome_payload
from schema.customer_auth import CustomerUserAuthenticateInput, CustomerUserAuthenticatePayload
from schema.customer_user import CustomerUserTypes
from schema.permissions import AUTHENTICATE

CUSTOMER_USER_FIELDS = None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """No plain fields of its own."""


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class CustomerAuthQueries:
        pass

    return CustomerAuthQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class CustomerAuthMutations:
        @strawberry.mutation(
            permission_classes=AUTHENTICATE,
            description="Check a customer user's login and password (OTOBO's "
            "Customer::AuthModule backends, in order; [[customer_auth.backends]]). Allowed "
            "for API keys of scope authenticate or admin. On success a stored hash in a weaker "
            "format than [passwords] scheme is replaced. No session, lockout or two-factor "
            "check yet: otp is ignored.",
        )
        async def customer_user_authenticate(
            self, info: Info, input: CustomerUserAuthenticateInput
        ) -> CustomerUserAuthenticatePayload:
            outcome = await run_mutation(
                info.context, auth_use_cases.authenticate, input.login, input.password
            )
            signed_in = outcome.record
            return outcome_payload(
                CustomerUserAuthenticatePayload,
                outcome,
                success=signed_in is not None,
                backend=None if signed_in is None else signed_in.backend,
                customer_user=None
                if signed_in is None
                else info.context.customer_user_object(signed_in.customer_user),
            )

    return CustomerAuthMutations
