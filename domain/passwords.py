"""Passwords: the scheme Roster writes, and recognising and verifying every format OTOBO stores.

Writing (``hash_password``) follows ``[passwords] scheme``:

- ``bcrypt`` (default): OTOBO's own ``BCRYPT:<cost>:<salt16>:<hash31>`` form, so OTOBO's
  ``CustomerAuth::DB`` accepts a password set through Roster (OTOBO needs
  ``Crypt::Eksblowfish::Bcrypt`` installed, as for any bcrypt hash it wrote itself);
- ``argon2id``: for a database only Roster reads. OTOBO cannot verify it;
- ``sha2``/``sha512``: OTOBO's unsalted legacy forms, only when an admin asks (a warning at start).

Reading (``verify``) recognises the stored string by its shape, in OTOBO's order (reference
``otobo-customer-auth.md`` §3.2), whatever the configured scheme, so hashes already in the
database (OTOBO's, or Roster's earlier Argon2id) keep working: Argon2id, md5-crypt/apr1, sha2,
sha512, OTOBO's bcrypt, sha1, DES crypt. Where OTOBO is unsafe Roster refuses instead:

- OTOBO's fallback for any other string is ``crypt(P, login)``; on libxcrypt it turns the stored
  failure token ``*0`` into "any password matches" (§3.7, item 4). Roster rejects such strings.
- A 13-character DES hash whose salt is not ``[./0-9A-Za-z]{2}`` is rejected the same way.

An unrecognised stored string never raises: ``verify`` returns False and logs one WARNING naming
the login and why, never the hash or the password. Comparisons are constant-time.

Limits, so that no input takes long: passwords longer than ``MAX_PASSWORD_LENGTH`` characters are
refused unhashed (a 10 MB password costs nothing; md5-crypt would otherwise hash it 1000 times);
bcrypt reads only the first 72 UTF-8 bytes, exactly as OTOBO (Crypt::Eksblowfish) does; stored
bcrypt costs above ``MAX_BCRYPT_COST`` and Argon2 parameters above ``_ARGON2_LIMITS`` are refused.
Hashing and verifying are CPU work of up to a few hundred milliseconds (bcrypt cost 12), so
callers on the event loop run them in a hashing thread (``verify_in_thread``,
``hash_in_thread``); see ``hashing_executor`` for why those threads are few and run at a lower
priority than the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import functools
import hmac
import logging
import os
import re
import secrets
import string
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, Literal, ParamSpec, TypeVar, get_args

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from domain.password_schemes import (
    des_crypt,
    hex_digest,
    md5_crypt,
    otobo_bcrypt,
    otobo_bcrypt_salt,
)

logger = logging.getLogger("roster.passwords")

PasswordScheme = Literal["bcrypt", "argon2id", "sha2", "sha512"]
"""What ``[passwords] scheme`` may name: the formats Roster writes."""
PASSWORD_SCHEMES: Final = get_args(PasswordScheme)
LEGACY_SCHEMES: Final = frozenset({"sha2", "sha512"})

DEFAULT_BCRYPT_COST: Final = 12
"""OTOBO's ``Customer::AuthModule::DB::bcryptCost`` default."""
MAX_BCRYPT_COST: Final = 16
"""Each step doubles the work: cost 12 takes tens to hundreds of milliseconds, 16 sixteen times
that. A stored hash with a higher cost is refused rather than tying up a thread for minutes."""
MAX_PASSWORD_LENGTH: Final = 4096
"""Characters; the ceiling of ``[passwords] max_length``. Longer passwords are never hashed."""

_ARGON2_LIMITS: Final = {"memory_cost": 262_144, "time_cost": 16, "parallelism": 16}
_ARGON2 = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)
_ALPHABET = string.ascii_letters + string.digits
GENERATED_PASSWORD_LENGTH = 20  # ~119 bits from a 62-character alphabet

_HEX_RE = re.compile(r"[0-9a-fA-F]+")
# OTOBO: m{\A \$.+? \$.+? \$.* \z}xms, then s/^(\$.+?\$)(.+?)\$.*$/$2/ for the salt.
_MODULAR_RE = re.compile(r"\$(.+?)\$(.+?)\$(.*)", re.DOTALL)
_BCRYPT_RE = re.compile(r"BCRYPT:(\d+):(.{16}):(.*)", re.DOTALL)


class StoredFormat(enum.Enum):
    """A format Roster recognises in ``customer_user.pw``, named as OTOBO's CryptType."""

    ARGON2ID = "argon2id"
    MD5 = "md5"
    APR1 = "apr1"
    SHA2 = "sha2"
    SHA512 = "sha512"
    BCRYPT = "bcrypt"
    SHA1 = "sha1"
    CRYPT = "crypt"


_HEX_FORMATS: Final = {40: StoredFormat.SHA1, 64: StoredFormat.SHA2, 128: StoredFormat.SHA512}
"""OTOBO matches the hex forms case-insensitively but compares exactly, so upper case never
matches (its digests are lower case); Roster does the same."""


class UnrecognisedHash(ValueError):
    """The stored string is no format Roster verifies; the message says why, without the hash."""


def identify(stored: str) -> StoredFormat:
    """The format of a non-empty stored string, by its shape and in OTOBO's order.

    Raises ``UnrecognisedHash`` for anything Roster does not verify.
    """
    if stored.startswith("$argon2id$"):
        return StoredFormat.ARGON2ID
    if len(stored) == 13:
        if re.match(r"\$\d\$", stored) or "\n" in stored:
            raise UnrecognisedHash("a 13-character string that is no DES crypt hash")
        return StoredFormat.CRYPT
    modular = _MODULAR_RE.fullmatch(stored)
    if modular:
        if modular.group(1) == "1":
            return StoredFormat.MD5
        if modular.group(1) == "apr1":
            return StoredFormat.APR1
        raise UnrecognisedHash("a modular crypt string OTOBO cannot verify either")
    if len(stored) in _HEX_FORMATS and _HEX_RE.fullmatch(stored):
        return _HEX_FORMATS[len(stored)]
    if stored.startswith("BCRYPT:"):
        return StoredFormat.BCRYPT
    raise UnrecognisedHash("no known hash format")


def hash_password(
    password: str,
    scheme: PasswordScheme = "bcrypt",
    *,
    bcrypt_cost: int = DEFAULT_BCRYPT_COST,
) -> str:
    """The value to store in ``pw`` (at most 128 characters, OTOBO's column size).

    Raises ValueError for a password over ``MAX_PASSWORD_LENGTH`` or one that is not valid
    Unicode text; callers validate input before (``password_problems``).
    """
    secret = _encode(password)
    if secret is None:
        raise ValueError("the password is too long or not valid Unicode text")
    if scheme == "bcrypt":
        return otobo_bcrypt(secret, bcrypt_cost, otobo_bcrypt_salt())
    if scheme == "argon2id":
        return _ARGON2.hash(secret)
    if scheme == "sha2":
        return hex_digest("sha256", secret)
    if scheme == "sha512":
        return hex_digest("sha512", secret)
    raise ValueError(f"unknown password scheme {scheme!r}")


def verify(stored: str | None, password: str, login: str) -> bool:
    """True when ``password`` matches ``stored``; never raises.

    ``login`` only names the customer user in a warning: Roster takes every salt from the stored
    string, never from the login (OTOBO's ``crypt(P, login)`` fallback is refused, see above).
    Empty passwords and empty stored values never match, as in OTOBO.
    """
    if not stored or not password:
        return False
    secret = _encode(password)
    if secret is None:
        return False
    try:
        return _verify(identify(stored), stored, secret)
    except UnrecognisedHash as exc:
        reason = str(exc)
    except ValueError as exc:  # a library refusing an odd stored value; its text may quote it
        reason = f"{type(exc).__name__} while checking it"
    logger.warning(
        "customer user %r: the stored password cannot be verified (%s); sign-in refused",
        login,
        reason,
    )
    return False


HASHING_NICE: Final = 10
"""How much lower than the process the hashing threads run (``nice``; per thread on Linux)."""
HASHING_THREADS: Final = max(
    1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
)
"""At most one hashing thread per core the process may run on: more hash no faster."""

_P = ParamSpec("_P")
_T = TypeVar("_T")
_executor: ThreadPoolExecutor | None = None


def _lower_priority() -> None:
    """Initializer of each hashing thread: ``HASHING_NICE`` below the process (Linux sets
    the nice value of one thread when given its id). Where that fails, hashing still works."""
    with contextlib.suppress(OSError, AttributeError):
        tid = threading.get_native_id()
        nice = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, nice + HASHING_NICE))


def hashing_executor() -> ThreadPoolExecutor:
    """The threads that hash and verify passwords: ``HASHING_THREADS`` of them, each at
    ``nice +HASHING_NICE``, made on first use in each process.

    Why not ``asyncio.to_thread``: bcrypt releases the GIL, so hashing in threads keeps the
    event loop's thread free, but not its *core*. The default executor has ``cores + 4``
    threads, and sign-ins filled them: 8 sign-ins running back to back against cost-12 hashes
    (``bench.run --only 7``: 2 workers on a 2-core machine, 20,000 users, other work beside
    it, load average 6-12) put 8 busy threads beside the 2 event loops, and a
    ``customerUser(login:)`` lookup at concurrency 1 took 22-26 ms p50 against 0.4-0.5 ms
    unloaded, **56x-60x** (three runs). These threads at nice +10, in the same sitting with the
    old code in turns: 0.7-1.1 ms, **1.4x-2.6x** (issue 14's target: 3x): an event loop that
    wakes up takes the core from a hashing thread at once. The CPU per sign-in is unchanged
    (208-214 ms, 4.7 sign-ins per second per core). Under CPU contention sign-ins slow down
    before reads do, and are not starved (a nice-10 thread still gets about a tenth of a
    nice-0 one's share). A pool of its own also keeps hashes from queueing in front of the
    default executor's other work (DNS lookups, for one).
    """
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=HASHING_THREADS,
            thread_name_prefix="roster-hashing",
            initializer=_lower_priority,
        )
    return _executor


def _forget_executor() -> None:
    """After a fork: the parent's threads do not exist in the child."""
    global _executor
    _executor = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_executor)


async def in_hashing_thread(function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``function(*args, **kwargs)`` on ``hashing_executor()``, with the caller's context
    variables (as ``asyncio.to_thread``)."""
    call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(hashing_executor(), call)


async def verify_in_thread(stored: str | None, password: str, login: str) -> bool:
    """``verify`` off the event loop: bcrypt at cost 12 is tens of milliseconds of CPU or more."""
    return await in_hashing_thread(verify, stored, password, login)


async def hash_in_thread(
    password: str, scheme: PasswordScheme = "bcrypt", *, bcrypt_cost: int = DEFAULT_BCRYPT_COST
) -> str:
    """``hash_password`` off the event loop, in the same threads as ``verify_in_thread``."""
    return await in_hashing_thread(hash_password, password, scheme, bcrypt_cost=bcrypt_cost)


def needs_rehash(
    stored: str | None, scheme: PasswordScheme, *, bcrypt_cost: int = DEFAULT_BCRYPT_COST
) -> bool:
    """True when ``stored`` is not what ``hash_password(…, scheme, bcrypt_cost=…)`` writes today.

    Sign-in rehashes then, after a successful ``verify``, so old formats fade out.
    """
    if not stored:
        return True
    try:
        found = identify(stored)
    except UnrecognisedHash:
        return True
    if found.value != scheme:
        return True
    if found is StoredFormat.BCRYPT:
        match = _BCRYPT_RE.fullmatch(stored)
        return match is None or int(match.group(1)) != bcrypt_cost
    if found is StoredFormat.ARGON2ID:
        try:
            return _ARGON2.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            return True
    return False


def verify_password(stored_hash: str | None, password: str) -> bool:
    """``verify`` for callers that have no login at hand (the login only names a warning)."""
    return verify(stored_hash, password, login="")


def scheme_warning(scheme: PasswordScheme) -> str | None:
    """The start-up warning for a weak configured scheme (None for bcrypt and argon2id)."""
    if scheme not in LEGACY_SCHEMES:
        return None
    return (
        f"passwords.scheme = {scheme!r}: new passwords are stored as UNSALTED, fast "
        f"{'SHA-256' if scheme == 'sha2' else 'SHA-512'} hashes, which are cheap to crack. "
        "Use 'bcrypt' (OTOBO verifies it too) unless an old OTOBO without "
        "Crypt::Eksblowfish must read them."
    )


def generate_password(length: int = GENERATED_PASSWORD_LENGTH) -> str:
    """A random password from ``[0-9A-Za-z]`` (OTOBO's alphabet) with at least one of each class."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate


def _encode(password: str) -> bytes | None:
    """The UTF-8 bytes OTOBO hashes, or None when too long or not encodable (lone surrogates)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return None
    try:
        return password.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _same(computed: str | bytes, stored: str) -> bool:
    """Constant-time equality of the computed and the stored value, as UTF-8 bytes."""
    left = computed.encode("utf-8") if isinstance(computed, str) else computed
    return hmac.compare_digest(left, stored.encode("utf-8", "surrogatepass"))


def _verify(found: StoredFormat, stored: str, secret: bytes) -> bool:
    if found is StoredFormat.ARGON2ID:
        return _verify_argon2(stored, secret)
    if found in (StoredFormat.MD5, StoredFormat.APR1):
        match = _MODULAR_RE.fullmatch(stored)
        assert match is not None  # identify() matched the same pattern
        salt = match.group(2)
        if "\n" in salt or "$" in salt:
            raise UnrecognisedHash("an md5-crypt salt with a line break or '$'")
        magic = b"$apr1$" if found is StoredFormat.APR1 else b"$1$"
        return _same(md5_crypt(secret, salt.encode("utf-8", "surrogatepass"), magic), stored)
    if found is StoredFormat.SHA2:
        return _same(hex_digest("sha256", secret), stored)
    if found is StoredFormat.SHA512:
        return _same(hex_digest("sha512", secret), stored)
    if found is StoredFormat.SHA1:
        return _same(hex_digest("sha1", secret), stored)
    if found is StoredFormat.BCRYPT:
        return _verify_bcrypt(stored, secret)
    computed = des_crypt(secret, stored[:2])
    if computed is None:
        raise UnrecognisedHash("a DES crypt hash with an invalid salt")
    return _same(computed, stored)


def _verify_bcrypt(stored: str, secret: bytes) -> bool:
    match = _BCRYPT_RE.fullmatch(stored)
    if match is None or not match.group(2).isascii():
        raise UnrecognisedHash("an OTOBO bcrypt string without cost and 16-character salt")
    cost = int(match.group(1))
    if not 4 <= cost <= MAX_BCRYPT_COST:
        raise UnrecognisedHash(f"bcrypt cost {cost} outside 4..{MAX_BCRYPT_COST}")
    return _same(otobo_bcrypt(secret, cost, match.group(2)), stored)


def _verify_argon2(stored: str, secret: bytes) -> bool:
    try:
        parameters = extract_parameters(stored)
    except (InvalidHashError, ValueError) as exc:
        raise UnrecognisedHash("a malformed Argon2id hash") from exc
    for name, limit in _ARGON2_LIMITS.items():
        if getattr(parameters, name) > limit:
            raise UnrecognisedHash(f"Argon2id {name} above {limit}")
    try:
        return _ARGON2.verify(stored, secret)
    except VerifyMismatchError:
        return False
    except (VerificationError, InvalidHashError, ValueError) as exc:
        raise UnrecognisedHash("a malformed Argon2id hash") from exc
