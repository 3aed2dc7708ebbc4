"""OTOBO's GoogleAuthenticator two-factor check: TOTP per RFC 6238, pure (issue 14).

What OTOBO's ``Kernel::System::Auth::TwoFactor::GoogleAuthenticator`` does, which the
customer module inherits (``_GenerateOTP``, ``_DecodeBase32``), so a secret an authenticator
app was set up with for OTOBO gives the same codes in Roster:

- the counter is ``floor(epoch / 30)``, as 8 bytes big-endian; HMAC-SHA1 keyed with the secret;
  RFC 4226's dynamic truncation; modulo 10^6, zero-padded to six digits;
- the secret is upper-cased, spaces (only spaces) are removed, and it is base32-decoded the
  way OTOBO does it (:func:`decode_secret`: no padding needed, trailing bits dropped);
- the code given is compared as a string, exactly (``"761321 "`` is wrong), here in constant
  time; the previous 30-second window counts only with ``allow_previous``, the next never.

Past OTOBO (which has none), the caller refuses a code whose window was already used
(:func:`matching_counter` says which window a code belongs to; ``resolvers.use_cases.two_factor``
keeps the last one used). No clock is read here: the time is a parameter, so tests fix it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re

STEP_SECONDS = 30
DIGITS = 6

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_FIVE_BITS = {c: i for i, c in enumerate(_BASE32)}
_LEADING_ZEROS = re.compile("0{3}(.{5})", re.DOTALL)

NEW_SECRET = re.compile(r"(?:[A-Z2-7]{16}|[A-Z2-7]{32})")
"""What Roster stores as a new secret: 16 base32 characters (80 bits, what OTOBO's customer
preference accepts: ``^([A-Z2-7]{16}|)$``) or 32 (160 bits, RFC 4226's recommended length),
upper case. OTOBO reads both."""


def has_secret(value: str | None) -> bool:
    """Whether a stored preference value is a secret: OTOBO tests it with Perl's truth, so
    absent, empty and ``"0"`` are no secret."""
    return value is not None and value not in ("", "0")


def decode_secret(secret: str) -> bytes | None:
    """The HMAC key of a stored secret, decoded as OTOBO's ``_DecodeBase32`` does; None when
    OTOBO's decoding is not defined for it (a character outside ASCII), so no code matches.

    OTOBO maps ``A-Z2-7`` to 0…31 and leaves any other byte as it is, turns every byte into
    eight bits, then removes three zero bits before each five (a left-to-right scan of the
    whole bit string, so a stray character such as ``=`` shifts what follows), and drops the
    bits that do not fill a byte. Doing the same (rather than a strict base32 decoder that
    would refuse) keeps any secret OTOBO accepts giving the codes OTOBO computes."""
    text = secret.upper().replace(" ", "")
    if not text.isascii():
        return None
    bits = "".join(format(_FIVE_BITS.get(c, ord(c)), "08b") for c in text)
    bits = _LEADING_ZEROS.sub(r"\1", bits)
    bits = bits[: len(bits) - len(bits) % 8]
    return int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""


def counter_at(epoch: float) -> int:
    """The 30-second window ``epoch`` falls in (time zones play no part)."""
    return math.floor(epoch / STEP_SECONDS)


def token_for(key: bytes, counter: int) -> str:
    """The six-digit code of ``counter`` (RFC 4226 HOTP over the window)."""
    message = (counter & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "big")  # Perl's %016x of -1 too
    digest = hmac.new(key, message, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    truncated = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFF_FFFF
    return f"{truncated % 10**DIGITS:0{DIGITS}d}"


def _same(given: str, expected: str) -> bool:
    """Exact equality in time that does not depend on where they differ (bytes, because
    ``hmac.compare_digest`` refuses non-ASCII text)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("ascii"))


def matching_counter(secret: str, token: str, *, now: float, allow_previous: bool) -> int | None:
    """The window whose code ``token`` is (the current one, or with ``allow_previous`` the one
    before), or None when it is neither (an empty token never matches)."""
    key = decode_secret(secret)
    if key is None or not token:
        return None
    current = counter_at(now)
    windows = [current, current - 1] if allow_previous else [current]
    found = None
    for counter in windows:  # every window is computed and compared: no early exit
        if _same(token, token_for(key, counter)) and found is None:
            found = counter
    return found
