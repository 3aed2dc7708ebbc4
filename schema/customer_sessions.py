"""GraphQL types of customer sessions and self-service (``meSetPassword``,
``customerSessionRevoke``)."""

from __future__ import annotations

import strawberry

from schema.common import UserError
from schema.dynamic import CustomerUserRef
from schema.pagination import USER_ERRORS_DESCRIPTION


@strawberry.input(description="Change one's own password (with a customer session token).")
class MeSetPasswordInput:
    current_password: str = strawberry.field(
        description="The password now, checked as sign-in checks it. Never logged."
    )
    new_password: str = strawberry.field(
        description="The new password: the same rules as every password Roster sets. Never logged."
    )


@strawberry.type(description="The customer user after changing its own password.")
class MeSetPasswordPayload:
    customer_user: CustomerUserRef | None = strawberry.field(
        description="The user as stored now; null when the password was not changed."
    )
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_CREDENTIALS (currentPassword is wrong), READ_ONLY (the password "
        "is kept by a directory such as LDAP), BACKEND_UNAVAILABLE, REQUIRED (no newPassword) "
        "or a password rule's code."
    )


@strawberry.input(description="Which customer sessions end.")
class CustomerSessionRevokeInput:
    login: str | None = strawberry.field(
        default=None,
        description="With an admin key: every session of this customer user ends. With a "
        "customer session token: leave it out (the session itself ends).",
    )


@strawberry.type(description="How many customer sessions ended.")
class CustomerSessionRevokePayload:
    revoked: int = strawberry.field(
        description="Sessions that ended now (0: the session had ended already)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)
