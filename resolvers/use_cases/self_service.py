"""What a customer user does for itself with a customer session token: ``meSetPassword``.

The current password is checked as sign-in checks it (``customer_auth.first_accepting``),
under the same limits: a wrong one counts toward the login's lockout, so a stolen session
cannot be used to guess the password. Only a backend whose passwords Roster keeps
(``stores_passwords``: a database, not LDAP) can take a new one. The new password is then set
by the one password use case (``customer_users.set_password``, the admin's path, so the same
password rules apply), which also ends the user's other sessions in its transaction; the
session that changed the password goes on (OTOBO ends every session; a portal would otherwise
sign its user out at the moment it confirms the change).
"""

from __future__ import annotations

import dataclasses

from datasources.backend import BackendUnavailable
from datasources.storage import Storage
from datasources.unit_of_work import Outcome
from domain.errors import ErrorCode, Problem
from domain.records import CustomerUserRecord
from domain.sign_in import SignInAttempt
from domain.validity import Validity
from resolvers.context import Actor
from resolvers.use_cases import customer_auth, customer_users, sign_in_limits

CURRENT = ("current_password",)
NEW = ("new_password",)
WRONG = Problem(CURRENT, ErrorCode.INVALID_CREDENTIALS, "The current password is wrong.")


async def set_own_password(
    storage: Storage, actor: Actor, current_password: str, new_password: str
) -> Outcome[CustomerUserRecord]:
    """Set the session's user's password to ``new_password`` if ``current_password`` is its
    password now (see the module)."""
    login = actor.customer_login
    if login is None:
        message = "Only a customer session changes its own password."
        return Outcome.failed([Problem((), ErrorCode.INVALID, message)])
    if not new_password:
        return Outcome.failed([Problem(NEW, ErrorCode.REQUIRED, "A new password is required.")])
    if not current_password or len(current_password) > storage.config.passwords.max_length:
        return Outcome.failed([WRONG])
    attempt = SignInAttempt(login=login, password=current_password)
    held = await sign_in_limits.refusal_before_check(storage, actor, attempt, login)
    if held is not None:
        return Outcome.failed([dataclasses.replace(held[0], field=CURRENT)])
    accepted = await customer_auth.first_accepting(storage, login, current_password)
    if not isinstance(accepted, customer_auth.Accepted):
        if accepted:
            message = "An authentication backend does not answer; retry when it is back."
            return Outcome.failed([Problem(CURRENT, ErrorCode.BACKEND_UNAVAILABLE, message)])
        await sign_in_limits.note_failure(storage, actor, attempt, login)
        return Outcome.failed([WRONG])
    backend = storage.customer_auth[accepted.backend_index]
    if not backend.stores_passwords:
        message = (
            f"The password is kept by authentication backend {backend.name!r} (a directory "
            "such as LDAP), not by Roster: change it there."
        )
        return Outcome.failed([Problem(CURRENT, ErrorCode.READ_ONLY, message)])
    try:
        record = await storage.customer_users.get(login, strict=True)
    except BackendUnavailable:
        record = None
    if record is None or record.validity is not Validity.VALID:
        return Outcome.failed([WRONG])  # as sign-in answers an invalid user
    outcome = await customer_users.set_password(
        storage, actor, record.login, new_password, self_service=True
    )
    outcome.problems = [_as_own(problem) for problem in outcome.problems]
    return outcome


def _as_own(problem: Problem) -> Problem:
    """A problem of the password use case, named as ``meSetPassword``'s input names it."""
    if problem.field == customer_users.USER:
        return dataclasses.replace(problem, field=())
    if problem.field[:1] == ("password",):
        return dataclasses.replace(problem, field=NEW + problem.field[1:])
    return problem
