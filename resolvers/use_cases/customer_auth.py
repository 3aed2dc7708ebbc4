"""Customer sign-in (OTOBO's ``CustomerAuth``): the configured backends in order, the first
that accepts the password wins, then the user's validity.

Every refusal is the same ``INVALID_CREDENTIALS`` in about the same time: an unknown login
still runs one verification of the configured scheme, and a user who is not VALID is refused
only after the password was checked (as OTOBO). ``BACKEND_UNAVAILABLE`` only when no backend
accepted and one could not answer (the password might have been right there). Neither the
password nor any hash is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from datasources.backend import BackendUnavailable
from datasources.storage import Storage
from datasources.unit_of_work import Outcome
from domain.errors import ErrorCode, Problem
from domain.passwords import hash_password, needs_rehash, verify_in_thread
from domain.records import CustomerUserRecord
from domain.validity import Validity
from resolvers.context import Actor

logger = logging.getLogger("roster.customer_auth")

MAX_LOGIN_LENGTH = 191
"""OTOBO's ``customer_user.login`` is VARCHAR(191); a longer login cannot exist."""

REFUSED = Problem(
    (), ErrorCode.INVALID_CREDENTIALS, "The login or the password is wrong, or the user is invalid."
)
UNAVAILABLE = Problem(
    (),
    ErrorCode.BACKEND_UNAVAILABLE,
    "The password cannot be checked now: an authentication backend does not answer.",
)


@dataclass(frozen=True, slots=True)
class SignIn:
    backend: str
    """The name of the ``[[customer_auth.backends]]`` entry that accepted the password."""
    customer_user: CustomerUserRecord


_dummies: dict[tuple[str, int], str] = {}


async def _dummy_verify(storage: Storage, password: str) -> None:
    """Spend what checking a real hash of the configured scheme costs (an unknown login)."""
    passwords = storage.config.passwords
    key = (passwords.scheme, passwords.bcrypt_cost)
    dummy = _dummies.get(key)
    if dummy is None:
        dummy = await asyncio.to_thread(
            hash_password, "roster-dummy-password", passwords.scheme, bcrypt_cost=key[1]
        )
        _dummies[key] = dummy
    await verify_in_thread(dummy, password or "x", "")


def _usable_login(login: str) -> str | None:
    """The login as looked up (trimmed, as OTOBO's login form does), or None when no stored
    login can be it (empty, a NUL, longer than the column)."""
    login = login.strip()
    if not login or "\x00" in login or len(login) > MAX_LOGIN_LENGTH:
        return None
    return login


async def _rehash(storage: Storage, backend_index: int, login: str, stored: str, pw: str) -> None:
    """Replace a hash weaker than ``[passwords]`` asks for; a failure keeps the old one."""
    passwords = storage.config.passwords
    if not needs_rehash(stored, passwords.scheme, bcrypt_cost=passwords.bcrypt_cost):
        return
    new = await asyncio.to_thread(
        hash_password, pw, passwords.scheme, bcrypt_cost=passwords.bcrypt_cost
    )
    try:
        await storage.customer_auth[backend_index].replace_hash(login, stored, new)
    except BackendUnavailable:
        logger.warning("customer user %r: password not rehashed, the database is down", login)


async def authenticate(
    storage: Storage, actor: Actor, login: str, password: str
) -> Outcome[SignIn]:
    """Sign ``login`` in with ``password`` (``otp`` is not taken yet: no 2FA)."""
    if len(password) > storage.config.passwords.max_length:
        return Outcome.failed(
            [
                Problem(
                    ("password",),
                    ErrorCode.TOO_LONG,
                    f"At most {storage.config.passwords.max_length} characters.",
                )
            ]
        )
    usable = _usable_login(login)
    unavailable = False
    for index, backend in enumerate(storage.customer_auth):
        if usable is None:
            break
        try:
            stored = await backend.stored_hashes(usable)
        except BackendUnavailable:
            unavailable = True
            continue
        if len(stored) != 1:
            await _dummy_verify(storage, password)
            continue
        hashed = stored[0]
        if not await verify_in_thread(hashed, password, usable):
            continue
        try:
            record = await storage.customer_users.get(usable, strict=True)
        except BackendUnavailable:
            return Outcome.failed([UNAVAILABLE])
        if record is None or record.validity is not Validity.VALID:
            return Outcome.failed([REFUSED])  # a valid password of an invalid user: no more
        assert hashed is not None  # verify accepts no empty stored value
        await _rehash(storage, index, usable, hashed, password)
        return Outcome(record=SignIn(backend=backend.name, customer_user=record))
    if usable is None:
        await _dummy_verify(storage, password)
    return Outcome.failed([UNAVAILABLE if unavailable else REFUSED])
