"""The password policy (OTOBO's customer ``PasswordMinSize`` … ``PasswordHistory``, reference
``otobo-customer-auth.md`` §2.2, §6.4, §6.5): pure rules, no I/O.

Roster applies it to **every** password it sets (create, set-password, self-service and the
renewal of an expired password at sign-in); OTOBO checks it only in its self-service screens.
Each failing rule is a problem of its own with a code naming the rule, all reported at once
(OTOBO stops at the first), in OTOBO's order:

- ``regexp`` (``PasswordRegExp``): must *match* (a search, as Perl's ``=~``) →
  ``PASSWORD_PATTERN_MISMATCH``;
- ``min_size`` (``PasswordMinSize``): characters, not bytes → ``PASSWORD_TOO_SHORT``;
- ``min_2_lower_2_upper`` (``PasswordMin2Lower2UpperCharacters``): two of ``[A-Z]`` and two of
  ``[a-z]``, ASCII only as in OTOBO → ``PASSWORD_NEEDS_UPPER_AND_LOWER``;
- ``need_digit`` (``PasswordNeedDigit``): one ``\\d`` → ``PASSWORD_NEEDS_DIGIT``;
- ``min_2_characters`` (``PasswordMin2Characters``): two ``\\w`` characters, so digits and
  ``_`` count, as in OTOBO → ``PASSWORD_NEEDS_LETTERS``;
- ``min_3_of_4`` (``PasswordMin3of4``): three of digit, ``[A-Z]``, ``[a-z]``, ``\\W`` →
  ``PASSWORD_NEEDS_3_OF_4_CLASSES``;
- ``history`` (``PasswordHistory``): not the current password nor one of the ``history``
  before it (OTOBO's ``UserLastPw`` … ``UserLastPw<N>``) → ``PASSWORD_REUSED``. Checked by the
  use case against stored hashes, after the rules above (it costs hashing): Roster's own
  entries and, on a database OTOBO shares, OTOBO's ``UserLastPw…`` preferences (read, never
  written: Roster writes no unsalted hash).

A password that is too long or holds control characters gets only that problem: the rules of
the policy say nothing useful about it, and no pattern runs over a huge input.

**History hashes.** OTOBO 11.0 stores an unsalted MD5 of each old password (later OTOBO
versions bcrypt them). Roster stores each as a salted bcrypt in OTOBO's ``BCRYPT:`` form at
``history_bcrypt_cost`` = min(``[passwords] bcrypt_cost``, 10): salted, so equal passwords
of two users differ and no table of precomputed hashes helps; capped at cost 10 so that a
change checks ``history + 1`` hashes in bounded time (cost 10 is about a quarter of cost 12:
with the default history of 3, four checks cost about what one cost-12 verification does).
Entries are verified by their shape (``domain.passwords.verify``), so a later change of the cost
or scheme keeps old entries working. bcrypt reads only the first 72 UTF-8 bytes, as for the
stored password itself: two passwords alike in those count as the same.

**Expiry.** ``UserLastPwChangeTime`` (a customer preference holding epoch seconds, as OTOBO
writes it) is set by a self-service change and deleted by an admin's; with ``max_valid_days``
set, a missing or older time means the password has expired (OTOBO's ``BasePassword::PreRun``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import bcrypt

from domain.customer_user_rules import PASSWORD, password_problems
from domain.errors import ErrorCode, Problem
from domain.password_schemes import BCRYPT_MAX_KEY_BYTES
from domain.passwords import (
    GENERATED_PASSWORD_LENGTH,
    MAX_BCRYPT_COST,
    generate_password,
    hash_password,
    verify,
)

CHANGE_TIME_KEY: Final = "UserLastPwChangeTime"
"""OTOBO's customer preference: when the user last changed the password itself (epoch s)."""
HISTORY_MAX_BCRYPT_COST: Final = 10
"""The cost of a history hash is the configured bcrypt cost, at most this (see the module)."""
MAX_HISTORY: Final = 24
"""The ceiling of ``[passwords] history``: a change checks ``history + 1`` hashes."""
GENERATION_TRIES: Final = 1000
_SECONDS_PER_DAY: Final = 86_400
_MD5_HEX: Final = re.compile(r"[0-9a-f]{32}")
_MODULAR_BCRYPT: Final = re.compile(r"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """The rules of ``[passwords]`` (``domain.config.PasswordConfig.policy``)."""

    min_size: int = 8
    max_length: int = 1024
    min_2_lower_2_upper: bool = False
    min_2_characters: bool = False
    need_digit: bool = False
    min_3_of_4: bool = False
    regexp: str | None = None
    history: int = 3
    max_valid_days: int | None = None
    history_bcrypt_cost: int = HISTORY_MAX_BCRYPT_COST


def policy_problems(
    password: str, policy: PasswordPolicy, field: tuple[str, ...] = PASSWORD
) -> list[Problem]:
    """Every rule of ``policy`` that ``password`` breaks (the history aside), each naming
    ``field``."""
    basic = password_problems(password, min_length=1, max_length=policy.max_length)
    if basic:
        return [_at(p, field) for p in basic]
    problems: list[Problem] = []

    def fail(code: ErrorCode, message: str) -> None:
        problems.append(Problem(field, code, message))

    if policy.regexp and not re.search(policy.regexp, password):
        fail(ErrorCode.PASSWORD_PATTERN_MISMATCH, "The password does not match the pattern.")
    if len(password) < policy.min_size:
        fail(ErrorCode.PASSWORD_TOO_SHORT, f"Passwords need at least {policy.min_size} characters.")
    if policy.min_2_lower_2_upper and not (
        re.search(r"[A-Z].*[A-Z]", password, re.DOTALL)
        and re.search(r"[a-z].*[a-z]", password, re.DOTALL)
    ):
        fail(
            ErrorCode.PASSWORD_NEEDS_UPPER_AND_LOWER,
            "Passwords need at least 2 lower-case and 2 upper-case letters (A-Z, a-z).",
        )
    if policy.need_digit and not re.search(r"\d", password):
        fail(ErrorCode.PASSWORD_NEEDS_DIGIT, "Passwords need at least 1 digit.")
    if policy.min_2_characters and not re.search(r"\w.*\w", password, re.DOTALL):
        fail(ErrorCode.PASSWORD_NEEDS_LETTERS, "Passwords need at least 2 letter characters.")
    if policy.min_3_of_4 and _classes(password) < 3:
        fail(
            ErrorCode.PASSWORD_NEEDS_3_OF_4_CLASSES,
            "Passwords need 3 of 4: lower-case letter, upper-case letter, digit, other character.",
        )
    return problems


def reused_problem(field: tuple[str, ...], history: int) -> Problem:
    """``PASSWORD_REUSED``, saying how far back the history reaches."""
    if history <= 0:
        message = "This is the current password; choose another one."
    else:
        message = f"The current password or one of the {history} before it; choose another one."
    return Problem(field, ErrorCode.PASSWORD_REUSED, message)


def is_reused(password: str, stored: Sequence[str]) -> bool:
    """Whether ``password`` matches one of the ``stored`` history hashes (CPU work: run it in
    a thread). Stops at the first match."""
    return any(verify(entry, password, login="") for entry in stored)


def otobo_history_keys(history: int) -> list[str]:
    """OTOBO's own history preferences for ``history``: ``UserLastPw``, ``UserLastPw1`` …"""
    return ["UserLastPw", *(f"UserLastPw{n}" for n in range(1, history + 1))]


def in_otobo_history(password: str, values: Sequence[str]) -> bool:
    """Whether ``password`` is one of OTOBO's ``UserLastPw…`` values: the unsalted MD5 hex of
    the UTF-8 password (OTOBO 11.0) or a ``$2a$``/``$2b$``/``$2y$`` bcrypt (later OTOBO).
    Other values never match. CPU work for bcrypt: run it in a thread."""
    try:
        secret = password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    for value in values:
        if _MD5_HEX.fullmatch(value):
            md5 = hashlib.md5(secret).hexdigest()  # noqa: S324 - comparing with OTOBO's MD5
            if hmac.compare_digest(md5, value):
                return True
        elif (found := _MODULAR_BCRYPT.fullmatch(value)) and 4 <= int(found[1]) <= MAX_BCRYPT_COST:
            try:
                if bcrypt.checkpw(secret[:BCRYPT_MAX_KEY_BYTES], value.encode("ascii")):
                    return True
            except ValueError:
                continue
    return False


def history_hash(password: str, policy: PasswordPolicy) -> str:
    """A salted hash of ``password`` for the history (CPU work: run it in a thread)."""
    return hash_password(password, "bcrypt", bcrypt_cost=policy.history_bcrypt_cost)


def generate_for(policy: PasswordPolicy) -> str:
    """A random password (OTOBO's alphabet ``[0-9A-Za-z]``) that ``policy`` accepts, at least
    ``GENERATED_PASSWORD_LENGTH`` and ``min_size`` characters long.

    Raises ``ValueError`` when none of ``GENERATION_TRIES`` candidates passes (a ``regexp``
    that asks for other characters; the configuration check refuses such a policy at start).
    """
    length = min(max(GENERATED_PASSWORD_LENGTH, policy.min_size), policy.max_length)
    for _ in range(GENERATION_TRIES):
        candidate = generate_password(length)
        if not policy_problems(candidate, policy):
            return candidate
    raise ValueError(
        "no generated password ([0-9A-Za-z]) passes the password policy; check [passwords] regexp"
    )


def is_expired(change_time: str | None, now: float, max_valid_days: int | None) -> bool:
    """Whether a password last changed at ``change_time`` (the ``UserLastPwChangeTime``
    preference, epoch seconds; None when missing) has expired at ``now`` (epoch seconds).

    Never with ``max_valid_days`` unset. A missing or unreadable time has expired, as in OTOBO
    (an admin-set password must be changed at the next sign-in)."""
    if max_valid_days is None:
        return False
    try:
        changed = float(change_time) if change_time is not None else None
    except ValueError:
        changed = None
    if changed is None or changed != changed:  # missing, unreadable or NaN
        return True
    return changed < now - max_valid_days * _SECONDS_PER_DAY


def change_time_value(now: float) -> str:
    """The ``UserLastPwChangeTime`` value OTOBO writes: whole epoch seconds."""
    return str(int(now))


def _classes(password: str) -> int:
    patterns = (r"\d", r"[A-Z]", r"[a-z]", r"\W")
    return sum(1 for pattern in patterns if re.search(pattern, password))


def _at(problem: Problem, field: tuple[str, ...]) -> Problem:
    return problem if problem.field == field else Problem(field, problem.code, problem.message)
