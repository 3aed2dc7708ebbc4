"""OTOBO's ``PasswordMaxValidTimeInDays`` at sign-in (``[passwords] max_valid_days``, reference
§6.4): a password whose ``UserLastPwChangeTime`` preference is missing or older than the limit
has expired, and the sign-in answers ``PASSWORD_EXPIRED`` until it is changed.

Where OTOBO redirects its web session to the password screen, Roster takes the new password in
the same call (``newPassword``): it must pass the whole policy (rules and history, through
``customer_users.set_password`` as the user's own change, so ``UserLastPwChangeTime`` is set
and the history recorded), must differ from the expired one, and then the sign-in goes on.

Only for authentication backends whose passwords Roster sets (``stores_passwords``): OTOBO
skips the check for LDAP, HTTPBasicAuth and Radius users.
"""

from __future__ import annotations

import dataclasses
import time

from datasources.auth_backend import AuthBackend
from datasources.storage import Storage
from domain.customer_user_rules import PASSWORD
from domain.errors import ErrorCode, Problem
from domain.password_policy import CHANGE_TIME_KEY, is_expired, reused_problem
from domain.records import CustomerUserRecord
from domain.sign_in import SignInAttempt
from resolvers.context import Actor
from resolvers.use_cases import customer_users

NEW_PASSWORD = ("new_password",)
"""Where a problem with the renewal points: the input's ``newPassword``."""

EXPIRED = Problem(
    (),
    ErrorCode.PASSWORD_EXPIRED,
    "The password has expired: sign in again with newPassword to change it.",
)


async def expiry_problem(
    storage: Storage,
    actor: Actor,
    backend: AuthBackend,
    record: CustomerUserRecord,
    attempt: SignInAttempt,
) -> list[Problem]:
    """``[PASSWORD_EXPIRED]``, or the policy problems of ``attempt.new_password`` (every rule
    it breaks, naming ``new_password``), or nothing when the sign-in may go on: the password
    has not expired, or it had and ``attempt.new_password`` is now stored."""
    policy = storage.config.passwords.policy()
    if policy.max_valid_days is None or not backend.stores_passwords:
        return []
    stored = await storage.preferences.get(record.login, [CHANGE_TIME_KEY])
    if not is_expired(stored.get(CHANGE_TIME_KEY), time.time(), policy.max_valid_days):
        return []
    if not attempt.new_password:
        return [EXPIRED]
    if attempt.new_password == attempt.password:
        return [reused_problem(NEW_PASSWORD, policy.history)]
    outcome = await customer_users.set_password(
        storage, actor, record.login, attempt.new_password, self_service=True
    )
    return [_as_new_password(problem) for problem in outcome.problems]


def _as_new_password(problem: Problem) -> Problem:
    if problem.field == PASSWORD:
        return dataclasses.replace(problem, field=NEW_PASSWORD)
    return problem
