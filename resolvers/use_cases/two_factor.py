"""OTOBO's ``Customer::AuthTwoFactorModule`` (GoogleAuthenticator, TOTP) as the second step of
a sign-in, and the admin's writes of a user's secret (issue 14).

**Sign-in** (:func:`second_factor_problem`, called by ``customer_auth`` once a backend has
accepted the password, for the login that backend returned), with ``[customer_auth.two_factor]``:

- disabled (OTOBO's default): nothing is asked;
- the user's secret is the ``customer_preferences`` value under ``secret_preference_key``,
  where OTOBO keeps it, so a secret set in OTOBO works here and one set here works in OTOBO;
- no secret (absent, empty or ``"0"``: OTOBO's Perl truth): passes with
  ``allow_empty_secret``, else ``OTP_REQUIRED`` (such a user cannot sign in);
- a secret: the code must be the current window's, or with ``allow_previous_token`` the
  previous one's (``domain.totp``), else ``OTP_REQUIRED``;
- **past OTOBO**, which has no replay protection, a code is accepted once: the window of the
  last accepted code is kept (``datasources.db.two_factor``, a preference of Roster's own,
  ``RosterTwoFactorLastCounter``), and a code of that window or an earlier one is refused
  (RFC 6238 §5.2). So a code seen over a shoulder or in a log cannot be used again, and with
  ``allow_previous_token`` the previous window's code no longer works once the current one
  was used.

``OTP_REQUIRED`` tells the client that the password was right: this step runs only after a
backend accepted it, as in OTOBO (password first, code second), and the portal must know to
ask for the code. What keeps that from helping a password guesser is that every such answer
counts as a failed sign-in (``customer_auth``: the lockout and throttle see it) and that it
comes only for the right password. The message is the same for a missing, a wrong and a used
code; a user without a secret where one is required (``allow_empty_secret`` off) gets the same
code with a message saying so, since no code can help there.

**Admin writes** (:func:`set_secret`, :func:`clear_secret`): the secret goes to the same
preference (and the used-code record goes, so the new secret's first code works at once). A
secret is written and never read back by any query.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from datasources.backend import BackendUnavailable
from datasources.customer_user_directory import unresolvable
from datasources.db.links import unfit_login
from datasources.db.tables import customer_preferences
from datasources.db.two_factor import LAST_COUNTER_KEY, claim_counter
from datasources.storage import Storage
from datasources.unit_of_work import NothingChanged, Outcome, transaction
from domain.assignment_rules import unknown_user
from domain.audit import Action, AuditEvent
from domain.errors import ErrorCode, Problem
from domain.origins import OriginKey
from domain.records import CustomerUserRecord
from domain.totp import NEW_SECRET, has_secret, matching_counter
from resolvers.context import Actor
from resolvers.use_cases import audit_trail

logger = logging.getLogger("roster.customer_auth")

clock: Callable[[], float] = time.time
"""Where the current time comes from (tests replace it to fix the window)."""

OTP_REQUIRED = Problem(
    ("otp",),
    ErrorCode.OTP_REQUIRED,
    "This customer user signs in with a two-factor code: send the current code of the "
    "authenticator app as otp (a code is accepted once).",
)

NO_SECRET = Problem(
    ("otp",),
    ErrorCode.OTP_REQUIRED,
    "This customer user has no two-factor secret, and signing in needs one "
    "([customer_auth.two_factor] allow_empty_secret is false): an admin must set one.",
)

USER = ("login",)
SECRET = ("secret",)


async def second_factor_problem(storage: Storage, login: str, otp: str | None) -> Problem | None:
    """``OTP_REQUIRED`` when ``login`` must give a code and ``otp`` is missing, wrong or used;
    None when the sign-in may go on (the rules are the module's)."""
    config = storage.config.customer_auth.two_factor
    if not config.enabled:
        return None
    stored = await storage.preferences.get(login, [config.secret_preference_key])
    secret = stored.get(config.secret_preference_key)
    if secret is None or not has_secret(secret):
        if config.allow_empty_secret:
            return None
        logger.info("sign-in of %r refused: no two-factor secret, and one is required", login)
        return NO_SECRET
    counter = matching_counter(
        secret, otp or "", now=clock(), allow_previous=config.allow_previous_token
    )
    if counter is None:
        return OTP_REQUIRED
    if not await claim_counter(storage.engine, login, counter):
        logger.info("sign-in of %r refused: a two-factor code was used again", login)
        return OTP_REQUIRED
    return None


def normalized_secret(secret: str) -> str:
    """A secret as stored: upper case, without spaces (as authenticator apps often show it:
    ``abcd efgh …``; OTOBO's decoding ignores both anyway)."""
    return secret.replace(" ", "").upper()


async def set_secret(
    storage: Storage, actor: Actor, login: str, secret: str
) -> Outcome[CustomerUserRecord]:
    """Give ``login`` the two-factor ``secret`` (16 or 32 base32 characters)."""
    value = normalized_secret(secret)
    if not value:
        message = "Give a secret; customerUserClearTwoFactorSecret removes one."
        return Outcome.failed([Problem(SECRET, ErrorCode.REQUIRED, message)])
    if NEW_SECRET.fullmatch(value) is None:
        message = "A secret is 16 or 32 base32 characters (A-Z and 2-7)."
        return Outcome.failed([Problem(SECRET, ErrorCode.INVALID, message)])
    return await _write(storage, actor, login, value)


async def clear_secret(storage: Storage, actor: Actor, login: str) -> Outcome[CustomerUserRecord]:
    """Remove ``login``'s two-factor secret (with ``allow_empty_secret`` the password alone
    signs in again; without, the user cannot sign in until a secret is set)."""
    return await _write(storage, actor, login, None)


async def _write(
    storage: Storage, actor: Actor, login: str, secret: str | None
) -> Outcome[CustomerUserRecord]:
    """Store (or with None remove) the secret of the user ``login`` names, under the user's
    login as stored (OTOBO keys preferences by ``UserLogin``). Not an origin record: a
    preference is not a change of the user's row, which keeps its change time, as in OTOBO.
    Removing a secret from a user that has none (nor a used-code record) is a no-op, as any
    write that changes nothing (``Outcome.unchanged``): no event, no live update."""
    try:
        record = await storage.customer_users.get(login, strict=True)
    except BackendUnavailable as exc:
        return Outcome.failed([unresolvable(USER, exc)])
    if record is None:
        return Outcome.failed([unknown_user(USER, login)])
    # OTOBO's preferences key a user by login in VARCHAR(191): only a backend table an admin
    # made with a wider login column holds a login that does not fit there.
    cannot = "have a two-factor secret"
    if unfit := unfit_login(customer_preferences.c.user_id, USER, record.login, cannot=cannot):
        return Outcome.failed([unfit])
    key = storage.config.customer_auth.two_factor.secret_preference_key
    action = Action.TWO_FACTOR_SECRET_SET if secret else Action.TWO_FACTOR_SECRET_CLEARED
    changed = AuditEvent(OriginKey.customer_user(record.login), record.login, action)
    try:
        async with transaction(storage.engine) as conn:
            values = {key: secret, LAST_COUNTER_KEY: None}
            if not await storage.preferences.set(record.login, values, conn) and not secret:
                raise NothingChanged  # no secret to clear: a no-op, as any unchanged write
            audit_trail.record(conn, actor, [changed])
    except NothingChanged:
        return Outcome(record=record, unchanged=True)
    return Outcome(record=record)
