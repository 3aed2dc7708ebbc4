"""``[passwords]`` policy keys (OTOBO's customer password settings, snake case): defaults,
ranges, the regular expression checked at start, the renamed ``min_length``. Pure: no
database."""

from __future__ import annotations

from typing import Any

import pytest

from app.settings import load_config
from domain.config import PasswordConfig, RosterConfig
from tests.toml_helpers import load_error


def test_defaults_follow_otobo_except_need_digit() -> None:
    passwords = RosterConfig().passwords
    assert passwords.min_size == 8  # PasswordMinSize
    assert passwords.history == 3  # PasswordHistory
    assert passwords.max_valid_days is None  # PasswordMaxValidTimeInDays: empty
    assert passwords.regexp is None  # PasswordRegExp: empty
    assert not passwords.min_2_lower_2_upper
    assert not passwords.min_2_characters
    assert not passwords.min_3_of_4
    assert not passwords.need_digit  # OTOBO: 1 (README: why Roster differs)


def test_the_policy_keys_load_from_toml(write: Any) -> None:
    config = load_config(
        write(
            "[passwords]\n"
            "min_size = 12\nmin_2_lower_2_upper = true\nmin_2_characters = true\n"
            'need_digit = true\nmin_3_of_4 = true\nregexp = "^[^ ]+$"\n'
            "max_valid_days = 90\nhistory = 5\n"
        ),
        environ={},
    )
    policy = config.passwords.policy()
    assert (policy.min_size, policy.history, policy.max_valid_days) == (12, 5, 90)
    flags = (policy.min_2_lower_2_upper, policy.min_2_characters, policy.need_digit)
    assert flags == (True, True, True)
    assert policy.min_3_of_4 is True
    assert policy.regexp == "^[^ ]+$"


def test_env_overrides_a_policy_key(write: Any) -> None:
    config = load_config(write(""), environ={"ROSTER_PASSWORDS__NEED_DIGIT": "true"})
    assert config.passwords.need_digit is True


def test_history_cost_is_capped_at_ten() -> None:
    assert PasswordConfig(bcrypt_cost=12).policy().history_bcrypt_cost == 10
    assert PasswordConfig(bcrypt_cost=4).policy().history_bcrypt_cost == 4


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('regexp = "[unclosed"', "regexp: not a valid regular expression"),
        ('regexp = "[!@#]"', "regexp: no password Roster generates"),
        ("min_length = 8", "min_length is now min_size"),
        ("min_size = 0", "passwords.min_size"),
        ("min_size = 100\nmax_length = 64", "min_size 100 is above max_length 64"),
        ("history = -1", "passwords.history"),
        ("history = 25", "passwords.history"),
        ("max_valid_days = 0", "passwords.max_valid_days"),
        ('need_digit = "often"', "passwords.need_digit"),
    ],
)
def test_bad_policy_settings_are_refused_at_start(write: Any, text: str, said: str) -> None:
    message = load_error(write(f"[passwords]\n{text}\n"))
    assert said in message
    assert "passwords" in message
