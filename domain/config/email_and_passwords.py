"""What Roster accepts as a customer user's email address and password, and how it stores new
passwords (OTOBO's ``CheckEmailAddresses`` and password settings)."""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import Field, model_validator

from domain.config.strict_model import StrictModel
from domain.email import EmailPolicy
from domain.passwords import (
    DEFAULT_BCRYPT_COST,
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
    min_length: Annotated[int, Field(ge=1, le=128)] = 8
    max_length: Annotated[int, Field(ge=8, le=MAX_PASSWORD_LENGTH)] = 1024
    scheme: PasswordScheme = "bcrypt"
    """What new passwords are stored as (domain/passwords.py): ``bcrypt`` in OTOBO's own
    ``BCRYPT:`` form (OTOBO verifies it), ``argon2id`` (OTOBO cannot), or OTOBO's unsalted legacy
    ``sha2``/``sha512`` (a warning at start). Every format is still recognised when verifying."""
    bcrypt_cost: Annotated[int, Field(ge=4, le=MAX_BCRYPT_COST)] = DEFAULT_BCRYPT_COST
    """OTOBO's ``Customer::AuthModule::DB::bcryptCost`` (OTOBO itself writes at least 9)."""
