"""The configuration model: OTOBO's ``$Self->{CustomerUser}`` blocks as typed, validated data.

It lives in ``domain`` because every layer reads it and it does no I/O: loading the TOML file
and the ``ROSTER_*`` environment overrides is ``app.settings``' job. Every model forbids
unknown keys, so a typo in the file is an error that names the key instead of a silent default.

One module per job, all re-exported here so ``from domain.config import …`` is the one import:
- ``backend_base``: what every customer-user backend has (OTOBO's common keys and its Map);
- ``db_backend`` and ``ldap_backend``: the two kinds of customer-user backend;
- ``customer_user``: the list of backends;
- ``customer_auth``: where customer users' passwords are checked (sign-in), in order;
- ``customer_sessions``: how long a customer session token works;
- ``customers_groups_services``: OTOBO's customer (with its Map), customer-group and service
  settings;
- ``email_and_passwords``: what addresses and passwords are accepted, how passwords are stored;
- ``live``: live updates (subscriptions): the broker between processes, the limits;
- ``audit``: how long the audit trail is kept;
- ``server``: how the process runs (database, HTTP server, workers, anonymous access, demo).
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from domain.config.audit import AuditConfig
from domain.config.backend_base import FIELD_LIST_KEYS, BackendConfigBase, MapRow, StorageField
from domain.config.customer_auth import AuthBackendConfig, CustomerAuthConfig, DbAuthBackendConfig
from domain.config.customer_sessions import CustomerSessionConfig
from domain.config.customer_user import BackendConfig, CustomerUserConfig
from domain.config.customers_groups_services import (
    CompanyMapRow,
    CustomerCompanyConfig,
    CustomerGroupConfig,
    PermissionContextName,
    ServicesConfig,
)
from domain.config.db_backend import CustomerUserBackendConfig, SqlIdentifier
from domain.config.dynamic_field_mapping import DynamicFieldFromCustomerUserConfig
from domain.config.email_and_passwords import EmailConfig, PasswordConfig
from domain.config.ldap_auth import LdapAuthBackendConfig
from domain.config.ldap_backend import LdapBackendConfig, filter_syntax_problem
from domain.config.live import LiveConfig
from domain.config.server import AuthConfig, DatabaseConfig, DemoConfig, ServerConfig
from domain.config.strict_model import StrictModel
from domain.config.tickets import TicketsConfig

__all__ = [
    "FIELD_LIST_KEYS",
    "AuditConfig",
    "AuthBackendConfig",
    "AuthConfig",
    "BackendConfig",
    "BackendConfigBase",
    "CompanyMapRow",
    "CustomerAuthConfig",
    "CustomerCompanyConfig",
    "CustomerGroupConfig",
    "CustomerSessionConfig",
    "CustomerUserBackendConfig",
    "CustomerUserConfig",
    "DatabaseConfig",
    "DbAuthBackendConfig",
    "DemoConfig",
    "DynamicFieldFromCustomerUserConfig",
    "EmailConfig",
    "LdapAuthBackendConfig",
    "LdapBackendConfig",
    "LiveConfig",
    "MapRow",
    "PasswordConfig",
    "PermissionContextName",
    "RosterConfig",
    "ServerConfig",
    "ServicesConfig",
    "SqlIdentifier",
    "StorageField",
    "StrictModel",
    "TicketsConfig",
    "filter_syntax_problem",
]


class RosterConfig(StrictModel):
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    email: EmailConfig = Field(default_factory=EmailConfig)
    passwords: PasswordConfig = Field(default_factory=PasswordConfig)
    customer_user: CustomerUserConfig = Field(default_factory=CustomerUserConfig)
    customer_auth: CustomerAuthConfig = Field(default_factory=CustomerAuthConfig)
    customer_company: CustomerCompanyConfig = Field(default_factory=CustomerCompanyConfig)
    customer_group: CustomerGroupConfig = Field(default_factory=CustomerGroupConfig)
    services: ServicesConfig = Field(default_factory=ServicesConfig)
    demo: DemoConfig = Field(default_factory=DemoConfig)
    dynamic_field_from_customer_user: DynamicFieldFromCustomerUserConfig = Field(
        default_factory=DynamicFieldFromCustomerUserConfig
    )
    tickets: TicketsConfig = Field(default_factory=TicketsConfig)
    live: LiveConfig = Field(default_factory=LiveConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)

    @model_validator(mode="after")
    def _postgres_broker_needs_postgres(self) -> Self:
        if self.live.broker == "postgres" and not self.database.url.startswith("postgresql"):
            raise ValueError(
                'live.broker = "postgres" needs a PostgreSQL database.url '
                '(use "local" with one process, or a Redis URL)'
            )
        return self
