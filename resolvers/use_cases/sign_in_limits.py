"""Sign-in limits past OTOBO (issue 14): a lockout per login, a throttle per client, and
OTOBO's own bookkeeping (``UserLoginFailed``, ``UserLastLogin``).

``customer_auth.authenticate`` calls three steps:

- :func:`refusal_before_check`, before any password is checked: ``LOCKED`` while the typed
  login is held back (after ``max_login_failed`` failures, for ``lock_minutes``), else the
  client's attempt is counted (API key + client address) and ``TOO_MANY_ATTEMPTS`` when its
  window's ``attempts`` are used up. Counting before the check (not after the failure) keeps
  the limit exact when many requests arrive at once: each takes its turn at the counter.
- :func:`note_failure`, after a refused password or second factor: the login's failure is
  counted, and on an existing user OTOBO's ``UserLoginFailed`` preference goes up by one.
  Reaching ``max_login_failed`` begins the hold, and with ``lockout = "invalid_temporarily"``
  sets the user ``valid_id`` 3 through the customer-user update (the configured agent in
  ``change_by``, the API key in ``roster_record_origin``, as every write).
- :func:`note_success`, once password, second factor and validity passed: the login's count
  and hold go, ``UserLoginFailed`` = 0 and ``UserLastLogin`` = now (epoch seconds), as OTOBO
  writes them, and the client's attempt is given back (a portal whose users sign in fine is
  never throttled; spraying passwords is nearly all failures).

**An unknown login is indistinguishable from a known one.** The lockout counter is kept for
every typed login, whether a customer record exists or not (named by a hash of the trimmed,
lower-cased login), so an unknown login is also ``LOCKED`` after ``max_login_failed``
failures, with the same ``retryAt``; before that both answer ``INVALID_CREDENTIALS``. With
``invalid_temporarily`` a known user is also set invalid, which shows to no one trying logins:
after the hold the user's right password answers ``INVALID_CREDENTIALS`` like any wrong one.
Only OTOBO's ``UserLoginFailed`` is kept for existing users alone (it is a preference of the
record, and OTOBO does so); it is not read for any decision.

Why ``timed`` is the default: an invalid-temporarily lockout lets anyone who knows a login
shut its user out until an admin acts (for a customer portal, a denial of service on demand);
a timed hold slows guessing as much (``max_login_failed`` guesses per ``lock_minutes``) and
ends by itself. It also works for read-only and LDAP backends, whose users Roster cannot set
invalid (with ``invalid_temporarily`` such a user gets the timed hold only).

The counters live in the database (``roster_sign_in_attempt``, ``datasources.db
.sign_in_attempts``), so every server process shares them; the rules are ``domain.lockout``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from datasources.backend import BackendUnavailable
from datasources.db.sign_in_attempts import SignInAttemptStore, increment_preference
from datasources.storage import Storage
from domain.config.sign_in_limits import SignInLimitsConfig
from domain.customer_user_rules import CustomerUserChanges
from domain.errors import ErrorCode, Problem
from domain.field_map import VALID_ID
from domain.lockout import (
    Counter,
    Limit,
    after_failure,
    after_refund,
    client_subject,
    held_until,
    login_subject,
    reserve,
    used_up,
)
from domain.sign_in import SignInAttempt
from domain.validity import Validity
from resolvers.context import Actor
from resolvers.use_cases import customer_users

logger = logging.getLogger("roster.sign_in_limits")

LOGIN_FAILED = "UserLoginFailed"
LAST_LOGIN = "UserLastLogin"

clock: Callable[[], float] = time.time
"""Now, in epoch seconds: the one clock of the limits (tests move it instead of waiting)."""

LOCKED = Problem(
    (), ErrorCode.LOCKED, "Too many failed sign-ins for this login; it is refused until retryAt."
)
THROTTLED = Problem(
    (),
    ErrorCode.TOO_MANY_ATTEMPTS,
    "Too many sign-in attempts from this client; try again at retryAt.",
)


async def refusal_before_check(
    storage: Storage, actor: Actor, attempt: SignInAttempt, login: str | None
) -> tuple[Problem, datetime | None] | None:
    """``LOCKED`` or ``TOO_MANY_ATTEMPTS`` (and when trying again can succeed), or None (and
    the client's attempt is counted)."""
    limits = _limits(storage)
    store = SignInAttemptStore(storage.engine)
    now = _now()
    subject = login_subject(_typed(attempt, login)) if limits.max_login_failed else None
    client = client_subject(actor.id, attempt.client_address) if limits.throttle.attempts else None
    # One read answers both while a hold lasts, so a client hammering a held login or a
    # used-up window makes no writes; only an attempt that may go on is counted (a write).
    wanted = [s for s in (subject, client) if s is not None]
    if not wanted:
        return None
    stored = await store.get_many(wanted)
    if subject is not None:
        until = held_until(stored.get(subject), now)
        if until is not None:
            at = _time(until)
            return LOCKED, at
    if client is None:
        return None
    window = _client_limit(limits)
    until = used_up(stored.get(client), now, window)
    if until is not None:
        at = _time(until)
        return THROTTLED, at

    def count(current: Counter | None) -> tuple[Counter | None, int, int | None]:
        counter, refused_until = reserve(current, now, window)
        return counter, counter.expires_at(window), refused_until

    refused_until = await store.change(client, now, count)
    if refused_until is not None:
        at = _time(refused_until)
        return THROTTLED, at
    return None


async def note_failure(
    storage: Storage, actor: Actor, attempt: SignInAttempt, login: str | None
) -> None:
    """Count a refused password (or second factor) for the login (see the module)."""
    limits = _limits(storage)
    began_hold = False
    if limits.max_login_failed:
        now = _now()
        rule = _login_limit(limits)

        def fail(stored: Counter | None) -> tuple[Counter | None, int, bool]:
            counter, began = after_failure(stored, now, rule)
            return counter, counter.expires_at(rule), began

        subject = login_subject(_typed(attempt, login))
        began_hold = await SignInAttemptStore(storage.engine).change(subject, now, fail)
    if login is None:
        return
    try:
        record = await storage.customer_users.get(login, strict=True)
    except BackendUnavailable as error:
        logger.warning("sign-in: failure not recorded for the user: %s", error)
        return
    if record is None:
        return  # OTOBO counts UserLoginFailed only on an existing record
    await increment_preference(storage.engine, storage.preferences, record.login, LOGIN_FAILED)
    if began_hold and limits.lockout == "invalid_temporarily":
        await _set_invalid_temporarily(storage, actor, record.login)


async def note_success(storage: Storage, actor: Actor, attempt: SignInAttempt, login: str) -> None:
    """Reset the login's failures, give the client back the attempt
    :func:`refusal_before_check` counted (a portal whose users sign in fine is not slowed),
    and note the sign-in (``UserLastLogin``)."""
    limits = _limits(storage)
    store = SignInAttemptStore(storage.engine)
    if limits.max_login_failed:
        await store.delete(login_subject(login))
    if limits.throttle.attempts:
        client = client_subject(actor.id, attempt.client_address)
        now = _now()
        window = _client_limit(limits)

        def give_back(stored: Counter | None) -> tuple[Counter | None, int, None]:
            counter = after_refund(stored, now, window)
            return counter, now if counter is None else counter.expires_at(window), None

        await store.change(client, now, give_back)
    await storage.preferences.set(login, {LOGIN_FAILED: "0", LAST_LOGIN: str(_now())})


async def _set_invalid_temporarily(storage: Storage, actor: Actor, login: str) -> None:
    """OTOBO's agent lockout for a customer user: ``valid_id`` 3 through the customer-user
    update (its backend's update path, agent id and record origin). A backend that cannot be
    written keeps the timed hold only."""
    change = CustomerUserChanges({VALID_ID: Validity.INVALID_TEMPORARILY.value})
    outcome = await customer_users.update(storage, actor, login, change)
    record = outcome.record
    if outcome.problems or record is None or record.validity is not Validity.INVALID_TEMPORARILY:
        reasons = "; ".join(p.message for p in outcome.problems) or "no validity column"
        logger.warning("sign-in lockout: %r not set invalid-temporarily (%s)", login, reasons)
    else:
        logger.info("sign-in lockout: %r set invalid-temporarily", login)


def _limits(storage: Storage) -> SignInLimitsConfig:
    return storage.config.customer_auth.limits


def _login_limit(limits: SignInLimitsConfig) -> Limit:
    return Limit(
        limit=limits.max_login_failed,
        window=limits.forget_after_seconds,
        hold=limits.lock_seconds,
    )


def _client_limit(limits: SignInLimitsConfig) -> Limit:
    return Limit(limit=limits.throttle.attempts, window=limits.throttle.window_seconds)


def _typed(attempt: SignInAttempt, login: str | None) -> str:
    """The login counted: as looked up, or as typed when it cannot be looked up (empty, a NUL,
    too long), which no record has, known or not."""
    return login if login is not None else attempt.login


def _now() -> int:
    return int(clock())


def _time(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
