"""GraphQL types of customer sign-in (``customerUserAuthenticate``)."""

from __future__ import annotations

from datetime import datetime

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
        description="The six-digit code of the user's authenticator app (OTOBO's "
        "GoogleAuthenticator two-factor module), when the user has a two-factor secret.",
    )
    new_password: str | None = strawberry.field(
        default=None,
        description="A new password, taken only when the current one has expired "
        "([passwords] max_valid_days, OTOBO's PasswordMaxValidTimeInDays): it must pass the "
        "password policy (and differ from the current and recent passwords), is stored as "
        "the user's own change, and the sign-in goes on. Without it an expired password "
        "answers PASSWORD_EXPIRED. Ignored while the password has not expired.",
    )
    client_address: str | None = strawberry.field(
        default=None,
        description="The end user's IP address as the portal saw it: attempts are throttled "
        "per API key and this address, so one client spraying many logins is slowed. "
        "Without it, the address the request came from.",
    )
    start_session: bool = strawberry.field(
        default=False,
        description="Also start a customer session: its token (shown once) lets the portal "
        "call me and meSetPassword as this customer user, and nothing else.",
    )


@strawberry.type(description="Whether a customer user signed in.")
class CustomerUserAuthenticatePayload:
    success: bool = strawberry.field(
        description="True when the password (and the two-factor code, if the user has one) "
        "was accepted; false with a reason in userErrors."
    )
    backend: str | None = strawberry.field(
        description="The name of the [[customer_auth.backends]] entry that accepted the "
        "password; null on failure."
    )
    customer_user: CustomerUserRef | None = strawberry.field(
        description="The signed-in customer user; null on failure."
    )
    session_token: str | None = strawberry.field(
        default=None,
        description="With startSession: the customer session token, shown only here (Roster "
        "keeps only its hash). Send it as 'Authorization: Bearer <token>'.",
    )
    session_expires_at: datetime | None = strawberry.field(
        default=None, description="With startSession: when the session token stops working."
    )
    retry_at: datetime | None = strawberry.field(
        default=None,
        description="With LOCKED or TOO_MANY_ATTEMPTS: when a sign-in can succeed again.",
    )
    user_errors: list[UserError] = strawberry.field(
        description="On failure one of: INVALID_CREDENTIALS (wrong password, unknown "
        "login and invalid user answer alike), LOCKED, TOO_MANY_ATTEMPTS, OTP_REQUIRED, "
        "PASSWORD_EXPIRED, BACKEND_UNAVAILABLE, or TOO_LONG for a password over [passwords] "
        "max_length; or, when an expired password's newPassword is refused, one error per "
        "broken rule of the password policy (PASSWORD_TOO_SHORT, PASSWORD_NEEDS_DIGIT, …, "
        "PASSWORD_REUSED), each at newPassword."
    )
