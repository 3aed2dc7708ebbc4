"""Password hashing and generation.

Passwords are stored only as Argon2id hashes (OWASP's second profile: 19 MiB, t=2, p=1), never
in OTOBO's unsalted sha2 default. Hashing is deliberately slow, so callers run it off the event
loop (``hash_password`` is plain CPU work and takes no lock).
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)
_ALPHABET = string.ascii_letters + string.digits
GENERATED_PASSWORD_LENGTH = 20  # ~119 bits from a 62-character alphabet


def hash_password(password: str) -> str:
    """An Argon2id hash in PHC format (about 97 characters, fits OTOBO's ``pw`` VARCHAR(128))."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; empty passwords never match (as in OTOBO)."""
    if not stored_hash or not password:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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
