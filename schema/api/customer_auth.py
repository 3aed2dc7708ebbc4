"""Customer sign-in: ``customerUserAuthenticate``, for a customer portal's back end."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.config import RosterConfig
from domain.sign_in import SignInAttempt
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
            "Customer::AuthModule backends, in order; [[customer_auth.backends]]), then the "
            "two-factor code, the user's validity and the password's age. Allowed for API "
            "keys of scope authenticate or admin. On success a stored hash in a weaker format "
            "than [passwords] scheme is replaced, and with startSession a customer session "
            "token is returned.",
        )
        async def customer_user_authenticate(
            self, info: Info, input: CustomerUserAuthenticateInput
        ) -> CustomerUserAuthenticatePayload:
            attempt = SignInAttempt(
                login=input.login,
                password=input.password,
                otp=input.otp,
                new_password=input.new_password,
                client_address=input.client_address or info.context.client_address,
                start_session=input.start_session,
            )
            outcome = await run_mutation(info.context, auth_use_cases.authenticate, attempt)
            found = outcome.record
            signed_in = found is not None and not outcome.problems
            record = None if found is None else found.customer_user
            session = None if found is None else found.session
            return outcome_payload(
                CustomerUserAuthenticatePayload,
                outcome,
                success=signed_in,
                backend=found.backend if signed_in and found is not None else None,
                customer_user=None
                if record is None or not signed_in
                else info.context.customer_user_object(record),
                session_token=None if session is None else session.token,
                session_expires_at=None if session is None else session.expires_at,
                retry_at=None if found is None else found.retry_at,
            )

    return CustomerAuthMutations
