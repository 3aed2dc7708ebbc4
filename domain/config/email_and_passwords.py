"""What Roster accepts as a customer user's email address and password, and how it stores new
passwords (OTOBO's ``CheckEmailAddresses`` and password settings)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from domain.config.strict_model import StrictModel
from domain.email import EmailPolicy
from domain.password_policy import (
    HISTORY_MAX_BCRYPT_COST,
    MAX_HISTORY,
    PasswordPolicy,
    generate_for,
)
from domain.passwords import (
    DEFAULT_BCRYPT_COST,
    GENERATED_PASSWORD_LENGTH,
    MAX_BCRYPT_COST,
    MAX_PASSWORD_LENGTH,
    PasswordScheme,
)


class EmailConfig(StrictModel):
    check: bool = True
    valid_address_pattern: str = r"^(root@localhost|admin@localhost)$"
    invalid_address_pattern: str = r"@(example)\.(..|...)$"

    @model_validator(mode="after")
    def _check_patterns(self) -> Self:
        for key in ("valid_address_pattern", "invalid_address_pattern"):
            try:
                re.compile(getattr(self, key))
            except re.error as exc:
                raise ValueError(f"{key}: not a valid regular expression ({exc})") from exc
        return self

    def policy(self) -> EmailPolicy:
        return EmailPolicy(self.check, self.valid_address_pattern, self.invalid_address_pattern)


class PasswordConfig(StrictModel):
    """How passwords are stored, and the policy every password Roster sets must pass (OTOBO's
    customer ``CustomerPreferencesGroups###Password`` settings, by their OTOBO names in snake
    case; the rules are ``domain.password_policy``)."""

    min_size: Annotated[int, Field(ge=1, le=128)] = 8
    """OTOBO's ``PasswordMinSize`` (characters)."""
    max_length: Annotated[int, Field(ge=8, le=MAX_PASSWORD_LENGTH)] = 1024
    min_2_lower_2_upper: bool = False
    """OTOBO's ``PasswordMin2Lower2UpperCharacters``: two of A-Z and two of a-z."""
    min_2_characters: bool = False
    """OTOBO's ``PasswordMin2Characters``: two word characters (letters, digits, ``_``)."""
    need_digit: bool = False
    """OTOBO's ``PasswordNeedDigit``. OTOBO's default is 1 but applies only to self-service;
    Roster applies the policy to admin writes too, and follows NIST SP 800-63B (length over
    composition rules), so it is off unless set."""
    min_3_of_4: bool = False
    """OTOBO's ``PasswordMin3of4``: three of lower case, upper case, digit, other."""
    regexp: str | None = None
    """OTOBO's ``PasswordRegExp``: a password must match it (a search, not a full match)."""
    max_valid_days: Annotated[int, Field(ge=1, le=36_500)] | None = None
    """OTOBO's ``PasswordMaxValidTimeInDays``: older (or admin-set) passwords answer
    ``PASSWORD_EXPIRED`` at sign-in until changed. Unset: passwords never expire."""
    history: Annotated[int, Field(ge=0, le=MAX_HISTORY)] = 3
    """OTOBO's ``PasswordHistory``: the current password and this many before it cannot be set
    again (0: no history is kept)."""
    scheme: PasswordScheme = "bcrypt"
    """What new passwords are stored as (domain/passwords.py): ``bcrypt`` in OTOBO's own
    ``BCRYPT:`` form (OTOBO verifies it), ``argon2id`` (OTOBO cannot), or OTOBO's unsalted legacy
    ``sha2``/``sha512`` (a warning at start). Every format is still recognised when verifying."""
    bcrypt_cost: Annotated[int, Field(ge=4, le=MAX_BCRYPT_COST)] = DEFAULT_BCRYPT_COST
    """OTOBO's ``Customer::AuthModule::DB::bcryptCost`` (OTOBO itself writes at least 9)."""
    rehash_on_sign_in: bool = True
    """After a sign-in, replace a stored hash weaker than ``scheme``/``bcrypt_cost`` (OTOBO's
    unsalted sha2, say) with one in ``scheme``. Off for an OTOBO beside Roster that cannot
    verify ``scheme``: bcrypt needs OTOBO's optional ``Crypt::Eksblowfish`` module, and a hash
    it cannot verify locks the user out of OTOBO's own portal."""

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        if isinstance(data, dict) and "min_length" in data:
            raise ValueError("min_length is now min_size (OTOBO's PasswordMinSize)")
        return data

    @model_validator(mode="after")
    def _check_policy(self) -> Self:
        if self.min_size > self.max_length:
            raise ValueError(f"min_size {self.min_size} is above max_length {self.max_length}")
        if self.regexp is not None:
            try:
                re.compile(self.regexp)
            except re.error as exc:
                raise ValueError(f"regexp: not a valid regular expression ({exc})") from exc
        try:
            generate_for(self.policy())
        except ValueError as exc:
            raise ValueError(
                "regexp: no password Roster generates (letters and digits, "
                f"{max(self.min_size, GENERATED_PASSWORD_LENGTH)} characters) matches it; a "
                "user created or reset without a password needs one"
            ) from exc
        return self

    def policy(self) -> PasswordPolicy:
        return PasswordPolicy(
            min_size=self.min_size,
            max_length=self.max_length,
            min_2_lower_2_upper=self.min_2_lower_2_upper,
            min_2_characters=self.min_2_characters,
            need_digit=self.need_digit,
            min_3_of_4=self.min_3_of_4,
            regexp=self.regexp or None,
            history=self.history,
            max_valid_days=self.max_valid_days,
            history_bcrypt_cost=min(self.bcrypt_cost, HISTORY_MAX_BCRYPT_COST),
        )
