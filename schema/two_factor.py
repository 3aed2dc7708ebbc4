"""GraphQL types of two-factor sign-in: ``CustomerUser.twoFactorEnabled`` and the secret
writes (``customerUserSetTwoFactorSecret``, ``customerUserClearTwoFactorSecret``). No type
carries a secret back out."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.records import CustomerUserRecord
from resolvers import two_factor as two_factor_resolvers
from resolvers.context import RequestContext
from schema.audit import Info
from schema.common import UserError
from schema.dynamic import CustomerUserRef
from schema.fast_fields import context_reader


async def has_secret(user: Any, context: RequestContext) -> bool:
    return await two_factor_resolvers.has_secret(context, user.record.login)


@strawberry.type
class CustomerUserTwoFactorFields:
    """Added to CustomerUser (the two-factor area's ``CUSTOMER_USER_FIELDS``)."""

    record: strawberry.Private[CustomerUserRecord]

    @strawberry.field(
        description="Whether this user has a two-factor secret (the [customer_auth.two_factor] "
        "secret_preference_key preference, OTOBO's UserGoogleAuthenticatorSecretKey): while "
        "two-factor is enabled, signing in then needs a code. The secret itself is never "
        "returned.",
        metadata=context_reader(has_secret),
    )
    async def two_factor_enabled(self, info: Info) -> bool:
        return await has_secret(self, info.context)


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
