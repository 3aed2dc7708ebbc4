"""GraphQL types of customer sign-in (``customerUserAuthenticate``)."""

from __future__ import annotations

import strawberry

from schema.common import UserError
from schema.dynamic import CustomerUserRef


@strawberry.input(description="A customer user's credentials, as typed into a portal's login form.")
class CustomerUserAuthenticateInput:
    login: str = strawberry.field(
        description="Trimmed, as OTOBO's login form does; compared as the database's "
        "collation compares logins (OTOBO's Customer::AuthModule::DB)."
    )
    password: str = strawberry.field(description="Taken as typed (not trimmed). Never logged.")
    otp: str | None = strawberry.field(
        default=None,
        description="A one-time code for two-factor authentication. Not checked yet: Roster "
        "has no two-factor authentication so far, so it is ignored until that lands.",
    )


@strawberry.type(description="Whether a customer user signed in.")
class CustomerUserAuthenticatePayload:
    success: bool
    backend: str | None = strawberry.field(
        description="The name of the [[customer_auth.backends]] entry that accepted the "
        "password; null on failure."
    )
    customer_user: CustomerUserRef | None = strawberry.field(
        description="The signed-in customer user; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(
        description="On failure exactly one: INVALID_CREDENTIALS (wrong password, unknown "
        "login and invalid user answer alike), BACKEND_UNAVAILABLE, or TOO_LONG for a "
        "password over [passwords] max_length."
    )
