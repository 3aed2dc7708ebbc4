"""GraphQL types of the two-factor secret writes (``customerUserSetTwoFactorSecret``,
``customerUserClearTwoFactorSecret``). No type carries a secret back out."""

from __future__ import annotations

import strawberry

from schema.common import UserError
from schema.dynamic import CustomerUserRef


@strawberry.input(description="Give a customer user a two-factor (TOTP) secret.")
class CustomerUserSetTwoFactorSecretInput:
    login: str = strawberry.field(description="The customer user (case-insensitive).")
    secret: str = strawberry.field(
        description="16 or 32 base32 characters (A-Z, 2-7), as the authenticator app was set "
        "up with; spaces are removed and lower case is raised. Stored in the user's "
        "[customer_auth.two_factor] secret_preference_key preference (OTOBO's "
        "UserGoogleAuthenticatorSecretKey), never returned."
    )


@strawberry.input(description="Remove a customer user's two-factor secret.")
class CustomerUserClearTwoFactorSecretInput:
    login: str = strawberry.field(description="The customer user (case-insensitive).")


@strawberry.type(description="The customer user whose two-factor secret was written.")
class CustomerUserTwoFactorSecretPayload:
    customer_user: CustomerUserRef | None = strawberry.field(
        description="The customer user; null when the write was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="UNKNOWN_CUSTOMER_USER, BACKEND_UNAVAILABLE (the user cannot be looked "
        "up), REQUIRED or INVALID (the secret)."
    )
