"""Sign-in limits past OTOBO: a lockout per login and a throttle per client (issue 14).

Placeholder while the lockout lands: nothing is counted, nobody is held back."""

from __future__ import annotations

from datetime import datetime

from datasources.storage import Storage
from domain.errors import Problem
from domain.sign_in import SignInAttempt
from resolvers.context import Actor


async def refusal_before_check(
    storage: Storage, actor: Actor, attempt: SignInAttempt, login: str | None
) -> tuple[Problem, datetime | None] | None:
    """``LOCKED`` or ``TOO_MANY_ATTEMPTS`` (and when trying again can succeed), or None."""
    return None


async def note_failure(
    storage: Storage, actor: Actor, attempt: SignInAttempt, login: str | None
) -> None:
    """Count a refused password (or second factor) for the login and the client."""


async def note_success(storage: Storage, login: str) -> None:
    """Reset the login's failures and note the sign-in (``UserLastLogin``)."""
