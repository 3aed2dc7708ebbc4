"""Everything a request needs from storage, opened once per process from the configuration."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.auth_backend import AuthBackend
from datasources.backend import CustomerUserBackend
from datasources.customer_user_directory import CustomerUserDirectory
from datasources.db.api_keys import ApiKeyStore
from datasources.db.audit_events import DbAuditEventStore
from datasources.db.collation_check import (
    case_sensitive_key_columns,
    three_byte_columns,
    three_byte_warning,
)
from datasources.db.customer_auth import DbAuthBackend
from datasources.db.customer_preferences import DbCustomerPreferenceStore
from datasources.db.customer_sessions import CustomerSessionStore
from datasources.db.customer_users import DbCustomerUserBackend, SchemaMismatch
from datasources.db.customers import DbCustomerStore
from datasources.db.dynamic_fields import DbDynamicFieldStore
from datasources.db.engine import create_engine
from datasources.db.groups import DbGroupStore
from datasources.db.nested_reads import NestedReads
from datasources.db.origins import DbOriginStore
from datasources.db.services import DbServiceStore
from datasources.db.ticket_access import TicketAccessRead
from datasources.db.ticket_pages import TicketPageRead
from datasources.db.tickets import DbTicketStore
from domain.config import (
    AuthBackendConfig,
    CustomerUserBackendConfig,
    DbAuthBackendConfig,
    LdapBackendConfig,
    RosterConfig,
)

logger = logging.getLogger("roster")


@dataclass
class Storage:
    config: RosterConfig
    engine: AsyncEngine
    customer_users: CustomerUserDirectory
    customers: DbCustomerStore
    api_keys: ApiKeyStore
    groups: DbGroupStore
    services: DbServiceStore
    origins: DbOriginStore
    """Who wrote what: the agent Roster writes as, and the API key behind each write."""
    preferences: DbCustomerPreferenceStore
    """OTOBO's ``customer_preferences`` (failed logins, last login, two-factor secret)."""
    customer_sessions: CustomerSessionStore
    """Customer session tokens (``me``)."""
    customer_auth: list[AuthBackend] = field(default_factory=list)
    """Where sign-in checks passwords (``[[customer_auth.backends]]``), in order."""
    three_byte: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """The text columns Roster writes that store only 3-byte UTF-8, table → column → the
    ``ALTER TABLE`` that fixes it (MariaDB/MySQL; found at start: ``find_three_byte_columns``)."""

    @cached_property
    def dynamic_fields(self) -> DbDynamicFieldStore:
        """OTOBO's dynamic-field definitions and customer users' values."""
        value_text_fix = self.three_byte.get("dynamic_field_value", {}).get("value_text")
        return DbDynamicFieldStore(self.engine, value_text_fix)

    @cached_property
    def nested_reads(self) -> NestedReads | None:
        """Whole nested reads in one statement (``schema.planner``): on PostgreSQL and
        MariaDB (there a user's own fields only: ``NestedReads``) with one database
        customer-user backend; None elsewhere (the general path answers)."""
        backends = self.customer_users.backends
        dialect = self.engine.dialect
        planned = dialect.name == "postgresql" or getattr(dialect, "is_mariadb", False)
        if not planned or len(backends) != 1:
            return None
        backend = backends[0]
        if not isinstance(backend, DbCustomerUserBackend):
            return None
        return NestedReads(
            self.engine, backend, self.customers, keep_children=self.services.keep_children
        )

    @cached_property
    def tickets(self) -> DbTicketStore:
        """Tickets by number, queues, counts. One per process: its read-only engine view costs
        about 0.3 ms of SQLAlchemy to make, too much to make per request (``Loaders.tickets``)."""
        return DbTicketStore(self.engine)

    @cached_property
    def ticket_access(self) -> TicketAccessRead:
        """``ticketAccess``'s one-statement read (prepared once per process)."""
        return TicketAccessRead(self.engine)

    @cached_property
    def ticket_pages(self) -> TicketPageRead:
        """A customer user's pages of tickets (prepared once per process)."""
        return TicketPageRead(self.engine)

    @cached_property
    def audit(self) -> DbAuditEventStore:
        """The audit trail and the changes feed (written by ``unit_of_work.transaction``)."""
        return DbAuditEventStore(self.engine)

    async def close(self) -> None:
        await self.api_keys.close()
        for backend in self.customer_users.backends:
            await backend.close()  # LDAP connection pools; a database backend shares the engine
        for auth_backend in self.customer_auth:
            await auth_backend.close()
        await self.engine.dispose()


async def open_backend(
    backend_config: CustomerUserBackendConfig | LdapBackendConfig,
    engine: AsyncEngine,
    config: RosterConfig,
    three_byte: Mapping[str, Mapping[str, str]] | None = None,
) -> CustomerUserBackend:
    if isinstance(backend_config, LdapBackendConfig):
        from datasources import ldap

        if not ldap.client_installed():
            raise RuntimeError(f"backend {backend_config.name!r} is LDAP: {ldap.INSTALL_HINT}")
        from datasources.ldap.backend import LdapCustomerUserBackend

        return await LdapCustomerUserBackend.open(backend_config)
    return await DbCustomerUserBackend.open(
        backend_config,
        engine,
        config.email.policy(),
        (three_byte or {}).get(backend_config.table),
    )


def open_auth_backend(
    backend_config: AuthBackendConfig, engine: AsyncEngine, config: RosterConfig
) -> AuthBackend:
    """One ``[[customer_auth.backends]]`` entry; nothing connects here (an LDAP backend
    connects on the first sign-in, so Roster starts while the directory is down)."""
    if isinstance(backend_config, DbAuthBackendConfig):
        return DbAuthBackend(backend_config, engine, config.passwords)
    from datasources import ldap

    if not ldap.client_installed():
        raise RuntimeError(
            f"customer_auth backend {backend_config.name!r} is LDAP: {ldap.INSTALL_HINT}"
        )
    from datasources.ldap.customer_auth import LdapAuthBackend

    return LdapAuthBackend(backend_config)


async def check_key_collations(engine: AsyncEngine, config: RosterConfig) -> None:
    """MariaDB/MySQL: refuse to start on key columns that compare case-sensitively (or are not
    utf8mb4), printing the ``ALTER TABLE`` statements that fix them."""
    extra = {
        b.table: (b.customer_key, b.customer_id)
        for b in config.customer_user.backends
        if isinstance(b, CustomerUserBackendConfig)
    }
    fixes = await case_sensitive_key_columns(engine, extra)
    if fixes:
        raise SchemaMismatch(
            "database: these columns must be utf8mb4 with a case-insensitive collation (as "
            "OTOBO creates them), or logins and names would be missed in other cases",
            fixes,
        )


async def find_three_byte_columns(
    engine: AsyncEngine, config: RosterConfig, *, warn: bool = True
) -> dict[str, dict[str, str]]:
    """MariaDB/MySQL: the text columns Roster writes that store only 3-byte UTF-8 (older
    OTRS/OTOBO installs made their tables ``utf8``), table → column → fix, logged as one
    warning (unless ``warn`` is false). Not a reason to refuse the start: such a database
    serves everything but 4-byte characters, and the write rules refuse those with a typed
    problem for these columns."""
    written: dict[str, set[str]] = {}
    for backend in config.customer_user.backends:
        if isinstance(backend, CustomerUserBackendConfig):
            written.setdefault(backend.table, set()).update(
                f.column for f in backend.map_fields() if not f.is_password
            )
    written.setdefault("customer_company", set()).update(
        f.column for f in config.customer_company.map_fields()
    )
    found = await three_byte_columns(engine, written)
    if found and warn:
        logger.warning(three_byte_warning(found))
    return found


async def open_storage(config: RosterConfig, *, warn: bool = True) -> Storage:
    """Connect and check the database against the configuration.

    ``warn``: log what is served but not as it should be (columns that store only 3-byte
    UTF-8); false where the command said so already (``roster serve`` checks the database
    before its app, or its worker processes, open the storage again).

    Raises ``SchemaMismatch`` (with the statements to run) when a table or a Map column (of a
    customer-user backend or of the company Map) is missing, so a bad deployment stops at
    start instead of failing requests.
    """
    engine = create_engine(config.database)
    backends: list[CustomerUserBackend] = []
    try:
        await check_key_collations(engine, config)
        three_byte = await find_three_byte_columns(engine, config, warn=warn)
        for backend_config in config.customer_user.backends:
            backends.append(await open_backend(backend_config, engine, config, three_byte))
        origins = await DbOriginStore.open(engine, config.database.agent_id)
        customers = await DbCustomerStore.open(
            config.customer_company, engine, three_byte.get("customer_company")
        )
        auth_backends = [
            open_auth_backend(b, engine, config) for b in config.customer_auth.backends
        ]
    except BaseException:
        for backend in backends:
            await backend.close()
        await engine.dispose()
        raise
    customer_users = CustomerUserDirectory(backends)
    return Storage(
        config=config,
        engine=engine,
        customer_users=customer_users,
        customers=customers,
        api_keys=ApiKeyStore(engine),
        groups=DbGroupStore(engine, three_byte.get("groups_table")),
        services=DbServiceStore(engine, config.services, three_byte.get("service")),
        origins=origins,
        preferences=DbCustomerPreferenceStore(engine),
        customer_sessions=CustomerSessionStore(engine, config.customer_auth.sessions),
        customer_auth=auth_backends,
        three_byte=three_byte,
    )
