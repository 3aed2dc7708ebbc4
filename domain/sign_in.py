"""The values of one customer sign-in (``resolvers.use_cases.customer_auth``), shared by its
steps (limits, second factor, password age, sessions) and the schema layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.records import CustomerUserRecord


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """What a portal sends for one sign-in (``customerUserAuthenticate``'s input)."""

    login: str
    password: str
    otp: str | None = None
    new_password: str | None = None
    """Replaces an expired password in the same call (``PASSWORD_EXPIRED`` otherwise)."""
    client_address: str | None = None
    """The end user's address as the portal saw it, for the per-client throttle."""
    start_session: bool = False


@dataclass(frozen=True, slots=True)
class CustomerSessionGrant:
    """A customer session token, shown once (only its hash is stored)."""

    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignIn:
    """What a sign-in found: on success the backend and the user; on a refusal for a time,
    when it ends."""

    backend: str | None = None
    """The name of the ``[[customer_auth.backends]]`` entry that accepted the password."""
    customer_user: CustomerUserRecord | None = None
    session: CustomerSessionGrant | None = None
    retry_at: datetime | None = None
    """For ``LOCKED`` and ``TOO_MANY_ATTEMPTS``: when trying again can succeed."""
