"""The password policy's pure rules (``domain.password_policy``): each of OTOBO's rules with
OTOBO's character classes, all problems at once, history hashes, expiry. No database."""

from __future__ import annotations

import hashlib

import bcrypt
import pytest

from domain.errors import ErrorCode
from domain.password_policy import (
    PasswordPolicy,
    change_time_value,
    generate_for,
    history_hash,
    in_otobo_history,
    is_expired,
    is_reused,
    otobo_history_keys,
    policy_problems,
    reused_problem,
)

DAY = 86_400
NOW = 1_800_000_000.0


def codes(password: str, **rules: object) -> list[ErrorCode]:
    policy = PasswordPolicy(**rules)  # type: ignore[arg-type]
    return [p.code for p in policy_problems(password, policy)]


@pytest.mark.parametrize(
    ("rules", "password", "broken"),
    [
        ({"min_size": 8}, "1234567", True),
        ({"min_size": 8}, "12345678", False),
        ({"min_size": 8}, "äöüßカス😀ab", False),  # characters, not bytes
        ({"min_2_lower_2_upper": True}, "ABcdefgh", False),
        ({"min_2_lower_2_upper": True}, "Abcdefgh", True),
        ({"min_2_lower_2_upper": True}, "ÄÖäöabcd", True),  # ASCII only, as OTOBO's [A-Z]
        ({"need_digit": True}, "password1", False),
        ({"need_digit": True}, "password٣", False),  # \d is Unicode, as in Perl
        ({"need_digit": True}, "password", True),
        ({"min_2_characters": True}, "__------", False),  # \w counts _ and digits
        ({"min_2_characters": True}, "1-------", True),
        ({"min_3_of_4": True}, "abcdEFGH", True),
        ({"min_3_of_4": True}, "abcdEFG1", False),
        ({"min_3_of_4": True}, "abcdEFG-", False),
        ({"min_3_of_4": True}, "abcd123-", False),
        ({"regexp": r"^\S+$"}, "no-space", False),
        ({"regexp": r"^\S+$"}, "with a space", True),
        ({"regexp": "x"}, "a x somewhere", False),  # a search, as Perl's =~
    ],
)
def test_each_rule(rules: dict[str, object], password: str, broken: bool) -> None:
    found = codes(password, **rules)
    assert bool(found) is broken, found
    assert len(found) <= 1


def test_every_rule_at_once_in_otobos_order() -> None:
    assert codes(
        ":",
        min_size=10,
        min_2_lower_2_upper=True,
        min_2_characters=True,
        need_digit=True,
        min_3_of_4=True,
        regexp="^[^:]*$",
    ) == [
        ErrorCode.PASSWORD_PATTERN_MISMATCH,
        ErrorCode.PASSWORD_TOO_SHORT,
        ErrorCode.PASSWORD_NEEDS_UPPER_AND_LOWER,
        ErrorCode.PASSWORD_NEEDS_DIGIT,
        ErrorCode.PASSWORD_NEEDS_LETTERS,
        ErrorCode.PASSWORD_NEEDS_3_OF_4_CLASSES,
    ]


def test_problems_name_the_given_field() -> None:
    [problem] = policy_problems("short", PasswordPolicy(), ("new_password",))
    assert problem.field == ("new_password",)


@pytest.mark.parametrize(
    ("password", "code"),
    [("x" * 1025, ErrorCode.TOO_LONG), ("with\x00nul-inside", ErrorCode.INVALID_CHARACTERS)],
)
def test_a_hopeless_password_gets_only_its_own_problem(password: str, code: ErrorCode) -> None:
    assert codes(password, min_size=10, need_digit=True, regexp="^[0-9]+$") == [code]


def test_generated_passwords_pass_a_strict_policy() -> None:
    policy = PasswordPolicy(
        min_size=30, min_2_lower_2_upper=True, need_digit=True, min_3_of_4=True, regexp="^[^_]"
    )
    for _ in range(50):
        password = generate_for(policy)
        assert len(password) == 30
        assert policy_problems(password, policy) == []


def test_generation_fails_for_a_pattern_it_cannot_meet() -> None:
    with pytest.raises(ValueError, match="regexp"):
        generate_for(PasswordPolicy(regexp="[!]"))


def test_history_hashes_are_salted_and_verify() -> None:
    policy = PasswordPolicy(history_bcrypt_cost=4)
    first, second = history_hash("Secret-1", policy), history_hash("Secret-1", policy)
    assert first != second
    assert first.startswith("BCRYPT:4:")
    assert is_reused("Secret-1", [history_hash("other", policy), first])
    assert not is_reused("Secret-2", [first, second])
    assert not is_reused("Secret-1", [])


def test_reused_problem_says_how_far_back() -> None:
    assert "3 before it" in reused_problem(("password",), 3).message
    assert "current password" in reused_problem(("password",), 0).message


@pytest.mark.parametrize(
    ("stored", "max_days", "expired"),
    [
        (None, None, False),  # no limit: never
        (None, 30, True),  # missing: an admin set it (OTOBO)
        ("", 30, True),
        ("soon", 30, True),
        ("nan", 30, True),
        (str(int(NOW - 29 * DAY)), 30, False),
        (str(int(NOW - 30 * DAY)), 30, False),  # exactly the limit: not older
        (str(int(NOW - 30 * DAY) - 1), 30, True),
        (str(int(NOW)), 30, False),
    ],
)
def test_expiry(stored: str | None, max_days: int | None, expired: bool) -> None:
    assert is_expired(stored, NOW, max_days) is expired


def test_change_time_is_whole_epoch_seconds() -> None:
    assert change_time_value(NOW + 0.7) == str(int(NOW))


def test_otobo_history_keys() -> None:
    assert otobo_history_keys(2) == ["UserLastPw", "UserLastPw1", "UserLastPw2"]
    assert otobo_history_keys(0) == ["UserLastPw"]


def test_otobos_own_history_values_are_recognised() -> None:
    password = "Größe-Secret1"
    secret = password.encode()
    md5 = hashlib.md5(secret).hexdigest()  # noqa: S324 - OTOBO 11.0's UserLastPw
    later = [
        bcrypt.hashpw(secret, bcrypt.gensalt(4, prefix=b"2a")).decode(),  # later OTOBO
        bcrypt.hashpw(secret, bcrypt.gensalt(4, prefix=b"2b")).decode(),
        bcrypt.hashpw(secret, bcrypt.gensalt(4, prefix=b"2b")).decode().replace("$2b$", "$2y$"),
    ]
    for value in [md5, *later]:
        assert in_otobo_history(password, [value]), value
        assert not in_otobo_history(password + "x", [value]), value
    assert not in_otobo_history(password, [md5.upper(), "", "junk", "$2a$99$" + "a" * 53])
    long = "ü" * 40  # 80 bytes: bcrypt reads 72, as Crypt::Eksblowfish
    cut = bcrypt.hashpw(long.encode()[:72], bcrypt.gensalt(4, prefix=b"2a")).decode()
    assert in_otobo_history(long, [cut])
