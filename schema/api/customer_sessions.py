"""Self-service with a customer session token: ``me``, ``meSetPassword``, and
``customerSessionRevoke`` (log out, or an admin ending a user's sessions).

These are the only root fields a customer session may use: each declares a permission that
admits customer sessions (``schema.permissions``), from which the schema builder closes every
other root field to them and the gate before GraphQL takes its list (``app.scope_gate``).
``node(id:)`` is not among them, not even for the user's own id: ``me`` is the one way in.
"""

from typing import Any

import strawberry

from domain.config import RosterConfig
from resolvers import me as me_resolvers
from resolvers.mutations import run_mutation
from resolvers.use_cases import customer_sessions, self_service
from schema.audit import Info
from schema.common import outcome_payload
from schema.customer_sessions import (
    CustomerSessionRevokeInput,
    CustomerSessionRevokePayload,
    MeSetPasswordInput,
    MeSetPasswordPayload,
)
from schema.customer_user import CustomerUserTypes
from schema.permissions import CUSTOMER_SESSION, CUSTOMER_SESSION_OR_ADMIN

CUSTOMER_USER_FIELDS = None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """No plain fields of its own."""


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    customer_user_type = types.object

    @strawberry.type
    class CustomerSessionQueries:
        @strawberry.field(
            permission_classes=CUSTOMER_SESSION,
            description="The customer user of this customer session token, with its "
            "customers, effective permissions and services as on any CustomerUser (the "
            "fields that lead to other users are FORBIDDEN). Only with a customer session "
            "token; null once the user is gone or no longer valid.",
        )
        async def me(self, info: Info) -> customer_user_type | None:
            record = await me_resolvers.me(info.context)
            return types.wrap(record) if record else None

    return CustomerSessionQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class CustomerSessionMutations:
        @strawberry.mutation(
            permission_classes=CUSTOMER_SESSION,
            description="Change one's own password (customer session token only): "
            "currentPassword is checked as sign-in checks it, newPassword must pass the "
            "password rules. Every other session of the user ends; this one goes on.",
        )
        async def me_set_password(
            self, info: Info, input: MeSetPasswordInput
        ) -> MeSetPasswordPayload:
            outcome = await run_mutation(
                info.context,
                self_service.set_own_password,
                input.current_password,
                input.new_password,
            )
            record = outcome.record
            return outcome_payload(
                MeSetPasswordPayload,
                outcome,
                customer_user=None if record is None else types.wrap(record),
            )

        @strawberry.mutation(
            permission_classes=CUSTOMER_SESSION_OR_ADMIN,
            description="End customer sessions. With a customer session token: that session "
            "(log out; no input needed). With an admin key: every session of input.login.",
        )
        async def customer_session_revoke(
            self, info: Info, input: CustomerSessionRevokeInput | None = None
        ) -> CustomerSessionRevokePayload:
            login = None if input is None else input.login
            outcome = await run_mutation(info.context, customer_sessions.revoke, login)
            return outcome_payload(
                CustomerSessionRevokePayload, outcome, revoked=outcome.record or 0
            )

    return CustomerSessionMutations
