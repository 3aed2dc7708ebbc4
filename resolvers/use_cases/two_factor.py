"""OTOBO's ``Customer::AuthTwoFactorModule`` (GoogleAuthenticator, TOTP) (issue 14).

Placeholder while two-factor lands: no second factor is asked for."""

from __future__ import annotations

from datasources.storage import Storage
from domain.errors import Problem


async def second_factor_problem(storage: Storage, login: str, otp: str | None) -> Problem | None:
    """``OTP_REQUIRED`` when the user has a secret and ``otp`` is missing or wrong, else None."""
    return None
