"""OTOBO's ``scripts/test/GoogleAuthenticator.t`` as unit tests of ``domain.totp`` with a fixed
clock (the ten cases, case 1 and 2 being the preference rules of ``has_secret``), plus RFC 6238's
SHA-1 vectors and OTOBO's base32 decoding."""

from __future__ import annotations

import base64
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.config.two_factor import TwoFactorConfig
from domain.totp import (
    NEW_SECRET,
    counter_at,
    decode_secret,
    has_secret,
    matching_counter,
    token_for,
)

SECRET = "UNITTESTUNITTEST"


def passes(token: str, now: float, *, previous: bool, secret: str = SECRET) -> bool:
    return matching_counter(secret, token, now=now, allow_previous=previous) is not None


def test_1_and_2_no_secret_is_what_allow_empty_secret_decides() -> None:
    # OTOBO: `if (!$UserPreferences{$SecretPreferencesKey})` then AllowEmptySecret decides
    for value in (None, "", "0"):
        assert not has_secret(value)
    assert has_secret(SECRET)
    assert has_secret(" ")  # Perl: a space is true, so it is a secret (a useless one)
    assert TwoFactorConfig().allow_empty_secret is True  # OTOBO's default: passes


def test_3_an_invalid_token_fails() -> None:
    full_width = "\uff17\uff16\uff11\uff13\uff12\uff11"  # 761321 in full-width digits
    odd = ("\x00761321", "761321\x00", "\ud800", "7" * 100_000)  # NUL, a lone surrogate, huge
    for token in ("123456", "", "76132", "7613210", " 761321", "761321 ", full_width, *odd):
        assert not passes(token, 0, previous=True), token


def test_4_the_valid_token_at_t0() -> None:
    assert token_for(decode_secret(SECRET) or b"", 0) == "761321"
    assert passes("761321", 0, previous=False)
    assert matching_counter(SECRET, "761321", now=29.999, allow_previous=False) == 0


def test_5_the_same_token_with_another_secret_fails() -> None:
    assert not passes("761321", 0, previous=True, secret="ABCABCABCABCABC2")


def test_6_the_previous_token_at_t30_fails_without_allow_previous_token() -> None:
    assert not passes("761321", 30, previous=False)


def test_7_the_previous_token_at_t30_passes_with_allow_previous_token() -> None:
    assert matching_counter(SECRET, "761321", now=30, allow_previous=True) == 0


def test_8_the_new_token_at_t30() -> None:
    assert token_for(decode_secret(SECRET) or b"", 1) == "002639"  # leading zero kept
    assert matching_counter(SECRET, "002639", now=30, allow_previous=True) == 1
    assert passes("002639", 59.9, previous=False)


def test_9_a_token_two_windows_old_fails() -> None:
    assert not passes("761321", 60, previous=True)


def test_the_next_window_is_never_accepted() -> None:
    assert not passes("002639", 29, previous=True)


def test_10_time_zones_make_no_difference() -> None:
    berlin = datetime(1970, 1, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # t=30 UTC
    assert berlin.timestamp() == 30
    assert counter_at(berlin.timestamp()) == 1
    assert passes("002639", berlin.timestamp(), previous=False)


@pytest.mark.parametrize(
    ("epoch", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_rfc_6238_sha1_vectors(epoch: int, expected: str) -> None:
    # RFC 6238 appendix B (8 digits there; OTOBO's six are the last six)
    key = b"12345678901234567890"
    assert token_for(key, counter_at(epoch)) == expected[-6:]


def test_secret_decoding_as_otobo_does_it() -> None:
    key = base64.b32decode(SECRET)
    assert decode_secret(SECRET) == key
    assert decode_secret("unit testunit test") == key  # upper-cased, spaces removed
    assert decode_secret("UNITTESTUNITTES") == key[:9]  # trailing bits that fill no byte go
    assert decode_secret("") == b""
    assert decode_secret("\tUNITTESTUNITTEST") != key  # only spaces are removed
    assert decode_secret("ÄBC") is None  # OTOBO's decoding is not defined: nothing matches
    assert not passes("761321", 0, previous=True, secret="ÄNITTESTUNITTEST")


def test_a_stray_character_shifts_the_bits_as_in_otobo() -> None:
    # "=" (0b00111101) is no base32 letter: OTOBO keeps its byte. "A=" is the bits
    # 00000000 00111101; the scan drops the first "000", finds no other, so 00000 00111101
    # remain, and the 8 of those 13 bits that fill a byte are 00000001.
    assert decode_secret("A=") == bytes([0b00000001])


def test_new_secrets_are_16_or_32_base32_characters() -> None:
    assert NEW_SECRET.fullmatch("ABCABCABCABCABC2")  # OTOBO's own test value
    assert NEW_SECRET.fullmatch("A" * 32)
    for bad in ("", "A" * 15, "A" * 17, "A" * 31, "A" * 33, "ABCABCABCABCABC1", "abcabcabcabcabc2"):
        assert not NEW_SECRET.fullmatch(bad), bad
