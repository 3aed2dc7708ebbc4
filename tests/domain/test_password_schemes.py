"""Password formats: what Roster writes, what it recognises and verifies, and odd input.

The expected strings are the reference vectors (``otobo-customer-auth.md`` §3.5), which Perl
recomputes in ``tests/test_otobo_password_vectors.py``; here they need no Perl.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import re
import time
from typing import Any

import bcrypt
import pytest
from pydantic import ValidationError

from domain.config import PasswordConfig, RosterConfig
from domain.passwords import (
    HASHING_NICE,
    HASHING_THREADS,
    MAX_PASSWORD_LENGTH,
    hash_in_thread,
    hash_password,
    in_hashing_thread,
    needs_rehash,
    scheme_warning,
    verify,
    verify_in_thread,
)

PASSWORD = "Secret123!"
OTOBO_VECTORS = {
    "crypt": "jdl1FMVQukacA",
    "md5": "$1$jdoe$pNtqiK13gpNlIqgSpbjl61",
    "apr1": "$apr1$jdoe$8xJ7kaojHzNELT7khMcKO0",
    "sha1": "af6daf5f1a60c91f73361dd476c97e496beda065",
    "sha2": "94e0f9bc7f5a5225bd141bad5adf9befcc112aef09b88f47a14e20b75a7bbec2",
    "sha512": (
        "e7c4f7a6da2f1c5c67dbc6fe9f229ebbfd9a6199aa65319d20e43df9b871fce2"
        "294436f157f244dc74b7e250c6c0e5f6ecab5d53c67fbcc60d02dfd78f072047"
    ),
    "bcrypt": "BCRYPT:12:abcdefghijklmnop:TlwY0NKWykux.NAnHS2jblmMD6yCnAW",
}
ARGON2ID = (
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
    "FW6ob2mvj0kp22BxLP1pf8KT9ImXsidL/OVZcIhzDiA"
)  # written by Roster before the scheme setting existed, for "Secret123!"


@pytest.mark.parametrize("kind", sorted(OTOBO_VECTORS))
def test_every_otobo_format_verifies(kind: str) -> None:
    stored = OTOBO_VECTORS[kind]
    assert verify(stored, PASSWORD, "jdoe")
    assert not verify(stored, "Zecret123!", "jdoe")
    assert not verify(stored, "", "jdoe")


def test_argon2id_hashes_roster_wrote_before_keep_working() -> None:
    assert verify(ARGON2ID, PASSWORD, "jdoe")
    assert not verify(ARGON2ID, "Secret123?", "jdoe")


def test_non_ascii_password_and_login_salt_vectors() -> None:
    sha2 = "f01ea6674d34b237a033e208a9f1da8ef3741e9f5c86ca1985288859ba1f5205"
    assert verify(sha2, "Pässwört1", "jdoe")
    # md5-crypt salted with the first 8 bytes of the login, '-' and '.' included
    assert verify("$1$j-smith.$JuGAhoEaGPSMdlZaXIB6//", PASSWORD, "j-smith.long@example.com")


def test_otobo_bcrypt_is_standard_bcrypt_with_the_salt_characters_as_octets() -> None:
    standard = "$2a$12$WUHhXETkX0fnYkrqZU3ta.TlwY0NKWykux.NAnHS2jblmMD6yCnAW"
    assert bcrypt.checkpw(PASSWORD.encode(), standard.encode())
    assert standard.endswith(OTOBO_VECTORS["bcrypt"].rsplit(":", 1)[1])


def test_des_crypt_reads_only_eight_bytes_as_otobo_does() -> None:
    assert verify(OTOBO_VECTORS["crypt"], "Secret12 and anything", "jdoe")


def test_upper_case_hex_is_recognised_but_never_matches_as_in_otobo(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="roster.passwords"):
        assert not verify(OTOBO_VECTORS["sha2"].upper(), PASSWORD, "jdoe")
    assert caplog.records == []


@pytest.mark.parametrize(
    ("scheme", "pattern"),
    [
        ("bcrypt", r"BCRYPT:12:[0-9A-Za-z]{16}:[./A-Za-z0-9]{31}"),
        ("argon2id", r"\$argon2id\$v=19\$m=19456,t=2,p=1\$[^$]+\$[^$]+"),
        ("sha2", r"[0-9a-f]{64}"),
        ("sha512", r"[0-9a-f]{128}"),
    ],
)
def test_each_scheme_writes_its_format_and_verifies(scheme: Any, pattern: str) -> None:
    for password in (PASSWORD, "Pässwört1", " ", "日本語のパスワード", "x" * MAX_PASSWORD_LENGTH):
        stored = hash_password(password, scheme)
        assert re.fullmatch(pattern, stored), stored
        assert len(stored) <= 128  # OTOBO's customer_user.pw is VARCHAR(128)
        assert verify(stored, password, "jdoe")
        assert not verify(stored, password + "x", "jdoe")
        assert not needs_rehash(stored, scheme)


def test_bcrypt_salts_differ_and_cost_is_configurable() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    cheap = hash_password(PASSWORD, "bcrypt", bcrypt_cost=4)
    assert cheap.startswith("BCRYPT:4:")
    assert verify(cheap, PASSWORD, "jdoe")


def test_bcrypt_uses_the_first_72_bytes_as_otobo_does() -> None:
    stored = hash_password("a" * 72, "bcrypt", bcrypt_cost=4)
    assert verify(stored, "a" * 100, "jdoe")
    assert not verify(stored, "a" * 71, "jdoe")


@pytest.mark.parametrize(
    ("stored", "scheme", "cost", "expected"),
    [
        (OTOBO_VECTORS["bcrypt"], "bcrypt", 12, False),
        (OTOBO_VECTORS["bcrypt"], "bcrypt", 13, True),
        (OTOBO_VECTORS["sha2"], "bcrypt", 12, True),
        (OTOBO_VECTORS["md5"], "bcrypt", 12, True),
        (OTOBO_VECTORS["crypt"], "bcrypt", 12, True),
        (ARGON2ID, "bcrypt", 12, True),
        (ARGON2ID, "argon2id", 12, False),
        ("$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$aGFzaA", "argon2id", 12, True),
        (OTOBO_VECTORS["sha2"], "sha2", 12, False),
        (OTOBO_VECTORS["sha512"], "sha2", 12, True),
        (OTOBO_VECTORS["sha512"], "sha512", 12, False),
        ("*0", "bcrypt", 12, True),
        (None, "bcrypt", 12, True),
    ],
)
def test_needs_rehash(stored: str | None, scheme: Any, cost: int, expected: bool) -> None:
    assert needs_rehash(stored, scheme, bcrypt_cost=cost) is expected


ODD_STORED = [
    "*0",  # libxcrypt's failure token: OTOBO accepts ANY password for it
    "*",
    "!",
    "x",
    "-xAbCdEfGhIjK",  # 13 characters, DES salt outside [./0-9A-Za-z]
    "ü" * 13,
    "\x00" * 13,
    "$1$abcdefgh$1",  # 13 characters of modular crypt
    "$2a$12$WUHhXETkX0fnYkrqZU3ta.TlwY0NKWykux.NAnHS2jblmMD6yCnAW",  # OTOBO can't verify either
    "$5$rounds=5000$salt$hash",
    "$6$salt$hash",
    "$argon2id$garbage",
    "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$U1DNX6G1E7l4FR0TRNQk2ZE5ZEG6cdpNnxXwwHCHpW8",
    "$argon2id$v=19$m=19456,t=2,p=1$!!!$!!!",
    "BCRYPT:",
    "BCRYPT:12:short:hash",
    "BCRYPT:x:abcdefghijklmnop:TlwY0NKWykux.NAnHS2jblmMD6yCnAW",
    "BCRYPT:31:abcdefghijklmnop:TlwY0NKWykux.NAnHS2jblmMD6yCnAW",  # days of CPU: refused
    "BCRYPT:3:abcdefghijklmnop:TlwY0NKWykux.NAnHS2jblmMD6yCnAW",
    "BCRYPT:12:äbcdefghijklmnop:TlwY0NKWykux.NAnHS2jblmMD6yCnAW",
    "$1$sa\nlt$hash",
    "$1$$abc$hash",  # OTOBO would salt with "" here, not "$abc"
    "\ud800\udfff" * 20,  # lone surrogates, as a broken driver might hand over
    "plain-text-password",  # OTOBO's 'plain' CryptType: Roster never compares literally
    "a" * 500,
]


@pytest.mark.parametrize("stored", ODD_STORED)
def test_unknown_stored_formats_fail_with_one_warning_and_no_secret(
    stored: str, caplog: pytest.LogCaptureFixture
) -> None:
    password = "Secret-password-1"
    with caplog.at_level(logging.DEBUG, logger="roster.passwords"):
        assert not verify(stored, password, "jdoe")
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    message = caplog.records[0].getMessage()
    assert "jdoe" in message
    assert password not in message
    assert stored not in message
    assert "cannot be verified" in message


def test_plain_password_equal_to_the_stored_string_is_refused() -> None:
    """OTOBO's 'plain' CryptType compares literally, so typing the hash logs in; Roster never."""
    assert not verify("plain-text-password", "plain-text-password", "jdoe")
    assert not verify(OTOBO_VECTORS["sha2"], OTOBO_VECTORS["sha2"], "jdoe")


@pytest.mark.parametrize("stored", [None, ""])
def test_no_stored_password_never_verifies_and_is_not_a_warning(
    stored: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="roster.passwords"):
        assert not verify(stored, PASSWORD, "jdoe")
    assert caplog.records == []


@pytest.mark.parametrize("stored", [*OTOBO_VECTORS.values(), ARGON2ID])
def test_a_10_mb_password_is_refused_quickly_without_hashing(stored: str) -> None:
    huge = "a" * 10_000_000
    started = time.process_time()  # CPU, not wall-clock time: other processes do not count
    assert not verify(stored, huge, "jdoe")
    assert time.process_time() - started < 0.1


def test_a_too_long_password_is_never_hashed() -> None:
    with pytest.raises(ValueError, match="too long"):
        hash_password("a" * (MAX_PASSWORD_LENGTH + 1))
    with pytest.raises(ValueError, match="not valid Unicode"):
        hash_password("\ud800abc")
    assert not verify(OTOBO_VECTORS["sha2"], "\ud800abc", "jdoe")


async def test_verification_runs_off_the_event_loop() -> None:
    """While a cost-12 bcrypt check runs, the event loop keeps serving other work."""
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    started = time.perf_counter()
    assert await verify_in_thread(OTOBO_VECTORS["bcrypt"], PASSWORD, "jdoe")
    ended = time.perf_counter()
    task.cancel()
    during = [started, *(t for t in ticks if started < t < ended), ended]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    # A blocked loop would not tick during the check: one gap as long as the check. A loop
    # that is free ticks all along; on a loaded machine with longer gaps, but not one that
    # long (a count of ticks per second would depend on the load).
    assert len(during) >= 5, gaps
    assert max(gaps) < (ended - started) / 2, gaps


async def test_hashing_runs_in_few_threads_below_the_event_loop_priority() -> None:
    """Sign-ins hash in threads of their own that yield the core to the event loop (the
    sign-in benchmark, bench/sign_in.py, measures what that buys)."""
    import os
    import threading

    loop_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def where() -> tuple[str, int]:
        time.sleep(0.02)  # keeps the thread busy, so that concurrent calls need several
        tid = threading.get_native_id()
        return threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, tid)

    seen = await asyncio.gather(*(in_hashing_thread(where) for _ in range(4 * HASHING_THREADS)))
    names = {name for name, _ in seen}
    assert all(name.startswith("roster-hashing") for name in names)
    assert len(names) <= HASHING_THREADS
    assert {nice for _, nice in seen} == {min(19, loop_nice + HASHING_NICE)}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == loop_nice
    stored = await hash_in_thread(PASSWORD, "bcrypt", bcrypt_cost=4)
    assert await verify_in_thread(stored, PASSWORD, "jdoe")


def test_scheme_setting_defaults_to_bcrypt_cost_12() -> None:
    config = RosterConfig()
    assert (config.passwords.scheme, config.passwords.bcrypt_cost) == ("bcrypt", 12)


@pytest.mark.parametrize(
    ("values", "where"),
    [
        ({"scheme": "md5"}, "scheme"),
        ({"scheme": "plain"}, "scheme"),
        ({"bcrypt_cost": 3}, "bcrypt_cost"),
        ({"bcrypt_cost": 17}, "bcrypt_cost"),
    ],
)
def test_bad_scheme_settings_are_refused(values: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PasswordConfig.model_validate(values)
    assert caught.value.errors()[0]["loc"] == (where,)


@pytest.mark.parametrize(
    ("scheme", "warned"), [("bcrypt", False), ("argon2id", False), ("sha2", True), ("sha512", True)]
)
def test_only_legacy_schemes_warn(scheme: Any, warned: bool) -> None:
    warning = scheme_warning(scheme)
    assert (warning is not None) is warned
    if warning:
        assert "UNSALTED" in warning


def test_random_stored_strings_never_raise() -> None:
    """Whatever a database hands over, ``verify`` answers True or False."""
    rng = random.Random(14)  # noqa: S311 - test data
    prefixes = ["", "$1$", "$apr1$", "$2a$", "BCRYPT:", "BCRYPT:4:", "$argon2id$", "$argon2id$v=1"]
    alphabet = "$:./0123456789abcdefABCDEFxyz=,\n\x00ü日\ud800"
    for _ in range(400):
        body = "".join(rng.choice(alphabet) for _ in range(rng.choice([2, 11, 13, 16, 40, 70])))
        stored = rng.choice(prefixes) + body
        assert verify(stored, "Secret123!", "jdoe") in (True, False)
