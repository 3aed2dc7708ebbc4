"""OTOBO's ``PasswordMaxValidTimeInDays`` at sign-in (issue 14).

Placeholder while the password policy lands: no password expires."""

from __future__ import annotations

from datasources.auth_backend import AuthBackend
from datasources.storage import Storage
from domain.errors import Problem
from domain.records import CustomerUserRecord
from domain.sign_in import SignInAttempt
from resolvers.context import Actor


async def expiry_problem(
    storage: Storage,
    actor: Actor,
    backend: AuthBackend,
    record: CustomerUserRecord,
    attempt: SignInAttempt,
) -> Problem | None:
    """``PASSWORD_EXPIRED`` (or a policy problem of ``attempt.new_password``), or None when the
    sign-in may go on (possibly after storing ``attempt.new_password``)."""
    return None
