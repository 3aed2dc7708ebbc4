"""How customer sign-in is held back after failures (``[customer_auth.limits]``), past OTOBO.

Two independent limits:

- **per login** (``max_login_failed``, OTOBO's ``PasswordMaxLoginFailed``, 0 = off as in
  OTOBO): after that many failed sign-ins of one login (counted for every login typed, known or
  not, so the answer never tells whether a login exists) the login is refused with ``LOCKED``
  for ``lock_minutes``, even with the right password. With ``lockout = "invalid_temporarily"``
  an existing user is also set invalid-temporarily (``valid_id`` 3), as OTOBO does for agents,
  and stays so until an admin sets it valid again;
- **per client** (``[customer_auth.limits.throttle]``): sign-ins that did not succeed per API key
  and client address within ``window_seconds``; past ``attempts`` the client is answered
  ``TOO_MANY_ATTEMPTS`` until the window ends, so a spray of one password over many logins is
  slowed. On by default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from domain.config.strict_model import StrictModel


class ThrottleConfig(StrictModel):
    """Attempts per API key and client address (OTOBO has only its web login's
    ``SimpleBruteForceProtection``, per typed login: 3 failures in 60 s, 30 s ban)."""

    attempts: int = Field(default=30, ge=0)
    """Sign-ins without success one client may start per window; 0 turns the throttle off.
    A success gives its attempt back, so a portal whose users sign in fine is never held."""
    window_seconds: int = Field(default=60, ge=1, le=86_400)


class SignInLimitsConfig(StrictModel):
    max_login_failed: int = Field(default=0, ge=0)
    """OTOBO's ``PasswordMaxLoginFailed``: failed sign-ins of one login before it is held
    back; 0 (OTOBO's default) never holds a login back."""
    lockout: Literal["timed", "invalid_temporarily"] = "timed"
    """What ``max_login_failed`` does: ``timed`` (default) refuses the login for
    ``lock_minutes``; ``invalid_temporarily`` does that too and sets an existing user
    ``valid_id`` 3 (OTOBO's agent lockout), which lasts until an admin acts. A user whose
    backend cannot be written (read-only, LDAP, no validity column) gets the timed lock only."""
    lock_minutes: float = Field(default=15.0, gt=0, le=525_600)
    """How long a login is refused after ``max_login_failed`` failures (fractions allowed)."""
    forget_after_minutes: float = Field(default=1440.0, gt=0, le=525_600)
    """Failures of a login count within this time from the first one; then the count starts
    again (OTOBO's ``UserLoginFailed`` preference, written beside, has no window)."""
    throttle: ThrottleConfig = Field(default_factory=ThrottleConfig)

    @property
    def lock_seconds(self) -> int:
        return max(1, round(self.lock_minutes * 60))

    @property
    def forget_after_seconds(self) -> int:
        return max(1, round(self.forget_after_minutes * 60))
