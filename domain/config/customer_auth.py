"""Where customer users' passwords are checked: OTOBO's ``Customer::AuthModule``,
``Customer::AuthModule1`` … as ``[[customer_auth.backends]]``, tried in order.

Independent of the customer-user backends (``[[customer_user.backends]]``) and linked to them
only by the login, as in OTOBO. ``module`` discriminates the kinds: ``db`` here, ``ldap`` in
``ldap_auth``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Discriminator, Field, Tag, model_validator

from domain.config.customer_sessions import CustomerSessionConfig
from domain.config.db_backend import SqlIdentifier
from domain.config.ldap_auth import LdapAuthBackendConfig
from domain.config.sign_in_limits import SignInLimitsConfig
from domain.config.strict_model import StrictModel
from domain.config.two_factor import TwoFactorConfig


class DbAuthBackendConfig(StrictModel):
    """OTOBO's ``Customer::AuthModule::DB``: the password column of a table, found by key."""

    module: Literal["db"] = "db"
    name: str = "db"
    table: SqlIdentifier = "customer_user"
    """``Customer::AuthModule::DB::Table``."""
    customer_key: SqlIdentifier = "login"
    """``Customer::AuthModule::DB::CustomerKey``: the column holding the login."""
    customer_password: SqlIdentifier = "pw"  # noqa: S105 - a column name
    """``Customer::AuthModule::DB::CustomerPassword``."""


def _module_of(value: Any) -> str:
    """The backend kind; one without ``module`` is a database one (OTOBO's default)."""
    if isinstance(value, dict):
        return str(value.get("module", "db"))
    return str(getattr(value, "module", "db"))


AuthBackendConfig = Annotated[
    Annotated[DbAuthBackendConfig, Tag("db")] | Annotated[LdapAuthBackendConfig, Tag("ldap")],
    Discriminator(_module_of),
]


def _default_backends() -> list[AuthBackendConfig]:
    """OTOBO's default: one ``Customer::AuthModule::DB`` on ``customer_user``."""
    return [DbAuthBackendConfig()]


class CustomerAuthConfig(StrictModel):
    backends: Annotated[list[AuthBackendConfig], Field(min_length=1)] = Field(
        default_factory=_default_backends
    )
    two_factor: TwoFactorConfig = Field(default_factory=TwoFactorConfig)
    limits: SignInLimitsConfig = Field(default_factory=SignInLimitsConfig)
    sessions: CustomerSessionConfig = Field(default_factory=CustomerSessionConfig)

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [b.name for b in self.backends]
        if len(set(names)) != len(names):
            raise ValueError("customer_auth.backends: every backend needs its own name")
        return self
