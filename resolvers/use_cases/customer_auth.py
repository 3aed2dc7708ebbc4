"""Customer sign-in (OTOBO's ``CustomerAuth``): the configured backends in order, the first
that accepts the password wins, then the second factor, the user's validity and the password's
age; past OTOBO, a lockout per login and a throttle per client.

The steps, in order (each a module of its own):

1. limits (``sign_in_limits``): a login locked after too many failures, or a client that tried
   too often, is refused before any password is checked (``LOCKED``, ``TOO_MANY_ATTEMPTS``);
2. the password, backend after backend (``datasources.auth_backend``);
3. the second factor (``two_factor``): a failure ends the sign-in, later backends are not
   tried, as in OTOBO, and counts as a failed attempt (``OTP_REQUIRED``);
4. the user's validity: not VALID is refused like a wrong password, after the password was
   checked (as OTOBO), and is not counted as a failure (as OTOBO);
5. success is recorded (``UserLoginFailed`` back to 0, ``UserLastLogin``), then the password's
   age (``password_age``: ``PASSWORD_EXPIRED`` unless ``newPassword`` renews it), the rehash of
   a weak stored hash, and on request a customer session (``customer_sessions``).

Every refusal of steps 2 to 4 is the same ``INVALID_CREDENTIALS`` in about the same time: an
unknown login still runs one verification of the configured scheme. ``BACKEND_UNAVAILABLE``
only when no backend accepted and one could not answer (the password might have been right
there). Neither the password nor any hash is ever logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from datasources.backend import BackendUnavailable
from datasources.db.customer_auth import dummy_verify
from datasources.storage import Storage
from datasources.unit_of_work import Outcome
from domain import observation
from domain.errors import ErrorCode, Problem
from domain.sign_in import SignIn, SignInAttempt
from domain.validity import Validity
from resolvers.context import Actor
from resolvers.use_cases import customer_sessions, password_age, sign_in_limits, two_factor

logger = logging.getLogger("roster.customer_auth")

MAX_LOGIN_LENGTH = 191
"""OTOBO's ``customer_user.login`` is VARCHAR(191). A longer login exists only in a backend
table an admin made wider, and cannot sign in: a sign-in records it in OTOBO's
``customer_preferences.user_id`` and ``roster_customer_session.login``, of 191 characters
too. So it is refused as any wrong login is, before anything is looked up or written."""

REFUSED = Problem(
    (), ErrorCode.INVALID_CREDENTIALS, "The login or the password is wrong, or the user is invalid."
)
UNAVAILABLE = Problem(
    (),
    ErrorCode.BACKEND_UNAVAILABLE,
    "The password cannot be checked now: an authentication backend does not answer.",
)


@dataclass(slots=True)
class Accepted:
    backend_index: int
    login: str


def _usable_login(login: str) -> str | None:
    """The login as looked up (trimmed, as OTOBO's login form does), or None when no stored
    login can be it (empty, a NUL, longer than the column)."""
    login = login.strip()
    if not login or "\x00" in login or len(login) > MAX_LOGIN_LENGTH:
        return None
    return login


async def first_accepting(storage: Storage, login: str | None, password: str) -> Accepted | bool:
    """The first backend that accepts ``password`` for ``login`` (None: not a login that can
    exist), or whether one could not answer. Also how ``meSetPassword`` checks the current
    password."""
    unavailable = False
    if login is None:
        await dummy_verify(storage.config.passwords, password)
        return False
    for index, backend in enumerate(storage.customer_auth):
        try:
            accepted = await backend.check(login, password)
        except BackendUnavailable as error:
            logger.warning("sign-in: %s", error)
            unavailable = True
            continue
        if accepted is not None:
            return Accepted(index, accepted)
    return unavailable


async def authenticate(storage: Storage, actor: Actor, attempt: SignInAttempt) -> Outcome[SignIn]:
    """Sign ``attempt.login`` in (the steps are the module's); its outcome (``success`` or
    the first problem's code) goes to ``domain.observation`` for the sign-in metric."""
    outcome = await _authenticate(storage, actor, attempt)
    observation.sign_in(outcome.problems[0].code.value if outcome.problems else "success")
    return outcome


async def _authenticate(storage: Storage, actor: Actor, attempt: SignInAttempt) -> Outcome[SignIn]:
    passwords = storage.config.passwords
    if len(attempt.password) > passwords.max_length:
        too_long = f"At most {passwords.max_length} characters."
        return Outcome.failed([Problem(("password",), ErrorCode.TOO_LONG, too_long)])
    usable = _usable_login(attempt.login)
    held = await sign_in_limits.refusal_before_check(storage, actor, attempt, usable)
    if held is not None:
        problem, retry_at = held
        return Outcome(record=SignIn(retry_at=retry_at), problems=[problem])
    accepted = await first_accepting(storage, usable, attempt.password)
    if not isinstance(accepted, Accepted):
        if accepted:
            return Outcome.failed([UNAVAILABLE])
        await sign_in_limits.note_failure(storage, actor, attempt, usable)
        return Outcome.failed([REFUSED])
    backend = storage.customer_auth[accepted.backend_index]
    second = await two_factor.second_factor_problem(storage, accepted.login, attempt.otp)
    if second is not None:
        await sign_in_limits.note_failure(storage, actor, attempt, usable)
        return Outcome.failed([second])
    try:
        record = await storage.customer_users.get(accepted.login, strict=True)
    except BackendUnavailable:
        return Outcome.failed([UNAVAILABLE])
    if record is None or record.validity is not Validity.VALID:
        return Outcome.failed([REFUSED])  # a valid password of an invalid user: no more
    await sign_in_limits.note_success(storage, actor, attempt, record.login)
    aged = await password_age.expiry_problem(storage, actor, backend, record, attempt)
    if aged:
        return Outcome.failed(aged)
    # The password that was checked: a renewed one is already stored in the configured
    # scheme, and an ignored newPassword (not expired) must never be stored by a rehash.
    await backend.after_sign_in(accepted.login, attempt.password)
    session = None
    if attempt.start_session:
        session = await customer_sessions.start(storage, actor, record)
    signed_in = SignIn(backend=backend.name, customer_user=record, session=session)
    return Outcome(record=signed_in)
