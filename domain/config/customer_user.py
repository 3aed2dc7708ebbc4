"""The ``customer_user`` section: the list of customer-user backends, database or LDAP, as
OTOBO's ``CustomerUser``, ``CustomerUser1`` … ``CustomerUser10`` blocks."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import Discriminator, Field, Tag, model_validator

from domain.config.backend_base import union_dynamic_field_rows
from domain.config.db_backend import CustomerUserBackendConfig
from domain.config.ldap_backend import LdapBackendConfig
from domain.config.strict_model import StrictModel
from domain.field_map import DynamicFieldMapRow


def _module_of(value: Any) -> str:
    """The backend kind; a backend without ``module`` is a database one (OTOBO's default)."""
    if isinstance(value, dict):
        return str(value.get("module", "db"))
    return str(getattr(value, "module", "db"))


BackendConfig = Annotated[
    Annotated[CustomerUserBackendConfig, Tag("db")] | Annotated[LdapBackendConfig, Tag("ldap")],
    Discriminator(_module_of),
]


def _default_backends() -> list[CustomerUserBackendConfig | LdapBackendConfig]:
    return [CustomerUserBackendConfig()]


class CustomerUserConfig(StrictModel):
    backends: list[BackendConfig] = Field(default_factory=_default_backends)

    @model_validator(mode="after")
    def _check_backends(self) -> Self:
        if not self.backends:
            raise ValueError("backends: at least one backend is required")
        if len(self.backends) > 11:
            raise ValueError("backends: at most 11 (CustomerUser, CustomerUser1 … CustomerUser10)")
        names = [b.name for b in self.backends]
        if len(set(names)) != len(names):
            raise ValueError("backends: every backend needs a distinct name")
        return self

    def dynamic_field_rows(self) -> list[DynamicFieldMapRow]:
        """The ``dynamic_field`` Map rows of every backend, each attribute once."""
        return union_dynamic_field_rows(list(self.backends))
