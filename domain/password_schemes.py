"""The password hash algorithms of OTOBO's ``customer_user.pw`` column, byte for byte as OTOBO.

Each function computes what OTOBO's Perl computes for one CryptType (reference
``otobo-customer-auth.md`` §3.4 to 3.5); ``domain/passwords.py`` decides which one a stored string
needs and compares. Every function takes the password as UTF-8 *bytes*, because OTOBO hashes the
UTF-8 encoding (``EncodeOutput``) and the byte-level rules (bcrypt's 72 bytes, DES crypt's 8,
md5-crypt's 8-byte salt) are defined on bytes.

Library choices:

- bcrypt: pyca ``bcrypt`` (small, maintained, the reference implementation's C core in Rust).
  OTOBO's own form ``BCRYPT:<cost>:<salt16>:<hash31>`` is the standard ``$2b$`` computation
  with the 16 salt *characters* used as the 16 raw salt octets, so it converts losslessly.
- md5-crypt and apr1: our own (below, ~30 lines of the well-known algorithm), because OTOBO salts
  them with the first 8 bytes of the *login*, which may hold ``-``, ``@``, ``_`` or non-ASCII;
  passlib refuses such salts, Crypt::PasswdMD5 (what OTOBO calls) takes any bytes.
- DES crypt: ``domain/des_crypt.py`` (why there is a note there).
- sha1/sha2/sha512: ``hashlib``, lower-case hex of the unsalted digest, as ``Digest::SHA``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string

import bcrypt

from domain.des_crypt import des_crypt

__all__ = [
    "BCRYPT_MAX_KEY_BYTES",
    "des_crypt",
    "hex_digest",
    "md5_crypt",
    "otobo_bcrypt",
    "otobo_bcrypt_salt",
]

BCRYPT_MAX_KEY_BYTES = 72
"""bcrypt reads at most 72 key bytes. Crypt::Eksblowfish silently ignores the rest, while pyca
bcrypt 5 raises ValueError, so the key is cut to 72 bytes first: the same hash as OTOBO's."""

_MD5_ITOA64 = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_STD_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BCRYPT_B64 = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_TO_BCRYPT_B64 = bytes.maketrans(_STD_B64, _BCRYPT_B64)
_SALT_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase


def hex_digest(algorithm: str, password: bytes) -> str:
    """OTOBO's sha1/sha2/sha512: lower-case hex of the unsalted digest (``sha256`` for sha2)."""
    return hashlib.new(algorithm, password).hexdigest()


def md5_crypt(password: bytes, salt: bytes, magic: bytes = b"$1$") -> bytes:
    """Poul-Henning Kamp's md5-crypt (``$1$``) or Apache's variant (``$apr1$``), any salt bytes.

    Same as Crypt::PasswdMD5's ``unix_md5_crypt``/``apache_md5_crypt`` for a salt without
    ``$``: the salt is cut to 8 bytes and appears as given in the result.
    """
    salt = salt[:8]
    ctx = hashlib.md5(password + magic + salt)  # noqa: S324 - the algorithm is defined on MD5
    alternate = hashlib.md5(password + salt + password).digest()  # noqa: S324
    for remaining in range(len(password), 0, -16):
        ctx.update(alternate[: min(16, remaining)])
    length = len(password)
    while length:
        ctx.update(b"\x00" if length & 1 else password[:1])
        length >>= 1
    final = ctx.digest()
    for i in range(1000):
        round_ctx = hashlib.md5(password if i & 1 else final)  # noqa: S324
        if i % 3:
            round_ctx.update(salt)
        if i % 7:
            round_ctx.update(password)
        round_ctx.update(final if i & 1 else password)
        final = round_ctx.digest()
    encoded = bytearray()
    for a, b, c in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)):
        encoded += _to64((final[a] << 16) | (final[b] << 8) | final[c], 4)
    encoded += _to64(final[11], 2)
    return magic + salt + b"$" + bytes(encoded)


def _to64(value: int, count: int) -> bytes:
    out = bytearray()
    for _ in range(count):
        out.append(_MD5_ITOA64[value & 0x3F])
        value >>= 6
    return bytes(out)


def otobo_bcrypt_salt() -> str:
    """16 random characters of ``[0-9A-Za-z]``, as OTOBO's ``GenerateRandomString(Length => 16)``.

    OTOBO reads the salt back as exactly 16 characters and uses them as the raw salt octets, so a
    salt of random bytes would not round-trip; 16 of 62 characters carry about 95 bits.
    """
    return "".join(secrets.choice(_SALT_ALPHABET) for _ in range(16))


def otobo_bcrypt(password: bytes, cost: int, salt: str) -> str:
    """``BCRYPT:<cost>:<salt>:<hash>``: OTOBO's ``bcrypt_hash({key_nul => 1, cost, salt}, P)``.

    ``salt`` is 16 ASCII characters (raises ValueError otherwise); ``cost`` is 4..31 (pyca's
    range). ``key_nul`` (a NUL after the key) is what ``$2a$``/``$2b$`` bcrypt does anyway.
    """
    raw_salt = salt.encode("ascii")
    if len(raw_salt) != 16:
        raise ValueError("a bcrypt salt is 16 octets")
    encoded_salt = base64.b64encode(raw_salt).rstrip(b"=").translate(_TO_BCRYPT_B64)
    setting = b"$2b$%02d$" % cost + encoded_salt
    full = bcrypt.hashpw(password[:BCRYPT_MAX_KEY_BYTES], setting)
    return f"BCRYPT:{cost}:{salt}:{full[-31:].decode('ascii')}"
