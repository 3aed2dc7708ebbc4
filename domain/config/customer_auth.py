"""Where customer users' passwords are checked: OTOBO's ``Customer::AuthModule``,
``Customer::AuthModule1`` … as ``[[customer_auth.backends]]``, tried in order.

Independent of the customer-user backends (``[[customer_user.backends]]``) and linked to them
only by the login, as in OTOBO. ``module`` discriminates the kinds, so ``ldap`` joins the union
later without touching the ``db`` settings.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Discriminator, Field, Tag, model_validator

from domain.config.customer_sessions import CustomerSessionConfig
from domain.config.db_backend import SqlIdentifier
from domain.config.strict_model import StrictModel


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


AuthBackendConfig = Annotated[Annotated[DbAuthBackendConfig, Tag("db")], Discriminator(_module_of)]
"""One kind so far; ``Annotated[LdapAuthBackendConfig, Tag("ldap")]`` joins with ``|``."""


class CustomerAuthConfig(StrictModel):
    backends: Annotated[list[AuthBackendConfig], Field(min_length=1)] = Field(
        default_factory=lambda: [DbAuthBackendConfig()]
    )
    sessions: CustomerSessionConfig = Field(default_factory=CustomerSessionConfig)

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [b.name for b in self.backends]
        if len(set(names)) != len(names):
            raise ValueError("customer_auth.backends: every backend needs its own name")
        return self
