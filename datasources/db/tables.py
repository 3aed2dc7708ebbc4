"""OTOBO's own tables (``scripts/database/otobo-schema.xml``) plus Roster's ``roster_*`` tables.

These are the runtime definitions. The customer-user table of each DB backend is *reflected*
at start instead (see ``customer_users.py``), because its columns come from the Map and an
admin may add one (OTOBO's ``room`` example) without changing code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData()


def _audit() -> list[sa.Column[object]]:
    return [
        sa.Column("create_time", sa.DateTime(), nullable=False),
        sa.Column("create_by", sa.Integer(), nullable=False),
        sa.Column("change_time", sa.DateTime(), nullable=False),
        sa.Column("change_by", sa.Integer(), nullable=False),
    ]


valid = sa.Table(
    "valid",
    metadata,
    sa.Column("id", sa.SmallInteger(), primary_key=True),
    sa.Column("name", sa.String(191), nullable=False, unique=True),
    *_audit(),
)

customer_user = sa.Table(
    "customer_user",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("login", sa.String(191), nullable=False),
    sa.Column("email", sa.String(150), nullable=False),
    sa.Column("customer_id", sa.String(150), nullable=False),
    sa.Column("pw", sa.String(128)),
    sa.Column("title", sa.String(50)),
    sa.Column("first_name", sa.String(100), nullable=False),
    sa.Column("last_name", sa.String(100), nullable=False),
    sa.Column("phone", sa.String(150)),
    sa.Column("fax", sa.String(150)),
    sa.Column("mobile", sa.String(150)),
    sa.Column("street", sa.String(150)),
    sa.Column("zip", sa.String(200)),
    sa.Column("city", sa.String(200)),
    sa.Column("country", sa.String(200)),
    sa.Column("comments", sa.String(250)),
    sa.Column("valid_id", sa.SmallInteger(), nullable=False),
    *_audit(),
)

customer_company = sa.Table(
    "customer_company",
    metadata,
    sa.Column("customer_id", sa.String(150), primary_key=True),
    sa.Column("name", sa.String(191), nullable=False, unique=True),
    sa.Column("street", sa.String(200)),
    sa.Column("zip", sa.String(200)),
    sa.Column("city", sa.String(200)),
    sa.Column("country", sa.String(200)),
    sa.Column("url", sa.String(200)),
    sa.Column("comments", sa.String(250)),
    sa.Column("valid_id", sa.SmallInteger(), nullable=False),
    *_audit(),
)

customer_user_customer = sa.Table(
    "customer_user_customer",
    metadata,
    sa.Column("user_id", sa.String(100), nullable=False),
    sa.Column("customer_id", sa.String(150), nullable=False),
    *_audit(),
)

customer_preferences = sa.Table(
    "customer_preferences",
    metadata,
    sa.Column("user_id", sa.String(191), nullable=False),
    sa.Column("preferences_key", sa.String(150), nullable=False),
    sa.Column("preferences_value", sa.String(250)),
)

groups_table = sa.Table(
    "groups_table",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(191), nullable=False, unique=True),
    sa.Column("comments", sa.String(250)),
    sa.Column("valid_id", sa.SmallInteger(), nullable=False),
    *_audit(),
)

group_customer_user = sa.Table(
    "group_customer_user",
    metadata,
    sa.Column("user_id", sa.String(100), nullable=False),
    sa.Column("group_id", sa.Integer(), nullable=False),
    sa.Column("permission_key", sa.String(20), nullable=False),
    sa.Column("permission_value", sa.SmallInteger(), nullable=False),
    *_audit(),
)

group_customer = sa.Table(
    "group_customer",
    metadata,
    sa.Column("customer_id", sa.String(150), nullable=False),
    sa.Column("group_id", sa.Integer(), nullable=False),
    sa.Column("permission_key", sa.String(20), nullable=False),
    sa.Column("permission_value", sa.SmallInteger(), nullable=False),
    sa.Column("permission_context", sa.String(100), nullable=False),
    *_audit(),
)

service = sa.Table(
    "service",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(191), nullable=False, unique=True),
    sa.Column("valid_id", sa.SmallInteger(), nullable=False),
    sa.Column("comments", sa.String(250)),
    *_audit(),
)

service_customer_user = sa.Table(
    "service_customer_user",
    metadata,
    sa.Column("customer_user_login", sa.String(191), nullable=False),
    sa.Column("service_id", sa.Integer(), nullable=False),
    sa.Column("create_time", sa.DateTime(), nullable=False),
    sa.Column("create_by", sa.Integer(), nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("login", sa.String(191), nullable=False),
    sa.Column("pw", sa.String(128), nullable=False),
    sa.Column("title", sa.String(50)),
    sa.Column("first_name", sa.String(100), nullable=False),
    sa.Column("last_name", sa.String(100), nullable=False),
    sa.Column("valid_id", sa.SmallInteger(), nullable=False),
    *_audit(),
    sa.UniqueConstraint("login", name="users_login"),
)
"""OTOBO's agents: every ``create_by``/``change_by`` names one. Roster only reads logins."""

roster_api_key = sa.Table(
    "roster_api_key",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("scope", sa.String(20), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("key_prefix", sa.String(16), nullable=False),
    sa.Column("create_time", sa.DateTime(), nullable=False),
    sa.Column("revoke_time", sa.DateTime()),
)

ORIGIN_KEY_TYPE = sa.String(191)
"""Keys are lower-cased by Roster and compared exactly: on MySQL/MariaDB the table's binary
collation (``roster_table_options``), so ``müller`` and ``muller`` are two keys there as
everywhere else."""

roster_record_origin = sa.Table(
    "roster_record_origin",
    metadata,
    sa.Column("object_type", sa.String(20), primary_key=True),
    sa.Column("object_key", ORIGIN_KEY_TYPE, primary_key=True),
    sa.Column("created_key_id", sa.Integer()),
    sa.Column("changed_key_id", sa.Integer(), nullable=False),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
)
"""Which API key created and last changed an object Roster wrote (``domain.origins``)."""

roster_password_history = sa.Table(
    "roster_password_history",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("login", sa.String(191), nullable=False),
    sa.Column("password_hash", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)
"""Salted hashes of a customer user's current and last passwords (``[passwords] history``;
OTOBO's unsalted ``UserLastPw…`` preferences), by login as the user's row spells it (0011)."""
sa.Index("roster_password_history_login", roster_password_history.c.login)

# The indexes, named and shaped as the migrations create them (``migrations/versions``), so
# Alembic's autogenerate comparison finds no drift (tests/test_migrations_match_tables.py).
# Queries never name an index; these declarations say what every migrated database has.


# OTOBO's dynamic-field tables (migration 0013; reference otobo-dynamic-fields-tickets.md §2.1).
# OTOBO's installer makes VARCHAR(3800) a TEXT and the YAML config a LONGBLOB on MySQL.
VALUE_TEXT_TYPE = sa.String(3800).with_variant(mysql.TEXT(), "mysql", "mariadb")
CONFIG_TYPE = sa.Text().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
dynamic_field = sa.Table(
    "dynamic_field",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("internal_field", sa.SmallInteger(), nullable=False, server_default="0"),
    sa.Column("name", sa.String(191), nullable=False, unique=True),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("field_order", sa.Integer(), nullable=False),
    sa.Column("field_type", sa.String(200), nullable=False),
    sa.Column("object_type", sa.String(100), nullable=False),
    sa.Column("config", CONFIG_TYPE),
    sa.Column("valid_id", sa.SmallInteger(), nullable=False),
    *_audit(),
)

dynamic_field_value = sa.Table(
    "dynamic_field_value",
    metadata,
    # SQLite numbers only an INTEGER primary key by itself.
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("field_id", sa.Integer(), nullable=False),
    sa.Column("object_id", sa.BigInteger(), nullable=False),
    sa.Column("value_text", VALUE_TEXT_TYPE),
    sa.Column("value_date", sa.DateTime()),
    sa.Column("value_int", sa.BigInteger()),
    sa.Column("index_value", sa.SmallInteger()),
    sa.Column("index_set", sa.SmallInteger()),
    sa.Index("dynamic_field_value_field_values", "object_id", "field_id"),
    sa.Index("dynamic_field_value_search_date", "field_id", "value_date"),
    sa.Index("dynamic_field_value_search_int", "field_id", "value_int"),
    sa.Index(
        "dynamic_field_value_search_text",
        "field_id",
        "value_text",
        mysql_length={"value_text": 150},
        mariadb_length={"value_text": 150},
    ),
)

dynamic_field_obj_id_name = sa.Table(
    "dynamic_field_obj_id_name",
    metadata,
    sa.Column("object_id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("object_name", sa.String(191), nullable=False),
    sa.Column("object_type", sa.String(100), nullable=False),
    sa.UniqueConstraint("object_name", "object_type", name="dynamic_field_object_name"),
)


def _lower(column: sa.Column[str]) -> sa.ColumnElement[str]:
    return sa.func.lower(column)


# OTOBO's own indexes (0001, created with OTOBO's tables).
sa.Index("customer_user_login", customer_user.c.login, unique=True)
sa.Index("customer_user_customer_user_id", customer_user_customer.c.user_id)
sa.Index("customer_user_customer_customer_id", customer_user_customer.c.customer_id)
sa.Index("customer_preferences_user_id", customer_preferences.c.user_id)
sa.Index("group_customer_user_user_id", group_customer_user.c.user_id)
sa.Index("group_customer_user_group_id", group_customer_user.c.group_id)
sa.Index("group_customer_customer_id", group_customer.c.customer_id)
sa.Index("group_customer_group_id", group_customer.c.group_id)
sa.Index("service_customer_user_customer_user_login", service_customer_user.c.customer_user_login)
sa.Index("service_customer_user_service_id", service_customer_user.c.service_id)

# Roster's case-insensitive lookups, OTOBO's LOWER(x) = LOWER(?) (0001, 0003, 0004, 0005); not
# on MariaDB/MySQL, where the columns' case-insensitive collation serves (``dialect.py``).
NOT_ON_MYSQL = ("postgresql", "sqlite")
sa.Index("roster_customer_user_login_lower", _lower(customer_user.c.login), unique=True)
sa.Index("roster_customer_user_email_lower", _lower(customer_user.c.email))
sa.Index("roster_customer_user_customer_id_lower", _lower(customer_user.c.customer_id))
sa.Index(
    "roster_customer_company_customer_id_lower",
    _lower(customer_company.c.customer_id),
    unique=True,
)
sa.Index("roster_customer_company_name_lower", _lower(customer_company.c.name))
sa.Index(
    "roster_service_customer_user_login_lower", _lower(service_customer_user.c.customer_user_login)
)
sa.Index("roster_service_name_lower", _lower(service.c.name))
sa.Index("roster_groups_table_name_lower", _lower(groups_table.c.name), unique=True)
sa.Index("roster_customer_user_customer_user_lower", _lower(customer_user_customer.c.user_id))
sa.Index(
    "roster_customer_user_customer_customer_lower", _lower(customer_user_customer.c.customer_id)
)
sa.Index("roster_group_customer_user_user_lower", _lower(group_customer_user.c.user_id))
sa.Index("roster_group_customer_customer_lower", _lower(group_customer.c.customer_id))

# The invalid services, at hand however large the catalog is (0003).
_INVALID = service.c.valid_id != 1
sa.Index(
    "roster_service_invalid_name", service.c.name, postgresql_where=_INVALID, sqlite_where=_INVALID
)
for _index in [
    *customer_user.indexes,
    *customer_company.indexes,
    *groups_table.indexes,
    *service.indexes,
    *service_customer_user.indexes,
    *customer_user_customer.indexes,
    *group_customer_user.indexes,
    *group_customer.indexes,
]:
    if _index.name is not None and _index.name.startswith("roster_"):
        _index.ddl_if(dialect=NOT_ON_MYSQL)  # type: ignore[arg-type]  # a tuple works (DDLIf)
# MariaDB/MySQL have no partial index: there the invalid services are a range of this one.
sa.Index("roster_service_valid_name", service.c.valid_id, service.c.name).ddl_if(
    dialect=("mysql", "mariadb")  # type: ignore[arg-type]
)

# PostgreSQL only: code-point order whatever the database's collation (0001), and trigram
# indexes for ``*term*`` searches (0002).
POSTGRESQL_ONLY_INDEXES = (
    sa.Index("roster_customer_user_login_c", customer_user.c.login.collate("C")),
    sa.Index("roster_customer_company_customer_id_c", customer_company.c.customer_id.collate("C")),
    *(
        sa.Index(
            f"roster_{column.table.name}_{column.name}_trgm",
            _lower(column).label(column.name),
            postgresql_using="gin",
            postgresql_ops={column.name: "gin_trgm_ops"},
        )
        for column in (
            customer_user.c.login,
            customer_user.c.first_name,
            customer_user.c.last_name,
            customer_user.c.customer_id,
            customer_user.c.email,
            customer_company.c.name,
        )
    ),
)
"""Indexes the migrations create on PostgreSQL only; ``create_all`` skips them elsewhere."""
for _index in POSTGRESQL_ONLY_INDEXES:
    _index.ddl_if(dialect="postgresql")


def built_on(index: sa.Index, dialect_name: str) -> bool:
    """Whether the migrations build ``index`` on this database (its ``ddl_if``, which Alembic's
    autogenerate comparison does not read by itself: ``include_object`` below)."""
    condition = getattr(index, "_ddl_if", None)
    if condition is None or condition.dialect is None:
        return True
    allowed = condition.dialect
    return dialect_name in ((allowed,) if isinstance(allowed, str) else allowed)


def include_object(dialect_name: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` for ``dialect_name``: leaves out the declared indexes the
    migrations do not build there."""

    def include(obj: Any, _name: Any, type_: str, reflected: bool, _compare_to: Any) -> bool:
        return type_ != "index" or reflected or built_on(obj, dialect_name)

    return include


# Tables whose rows name a customer user by login: a login rename must carry them all
# (OTOBO moves only preferences and services; we move every one).
LOGIN_REFERENCES: tuple[sa.Column[str], ...] = (
    customer_user_customer.c.user_id,
    customer_preferences.c.user_id,
    group_customer_user.c.user_id,
    service_customer_user.c.customer_user_login,
    roster_password_history.c.login,
)

LOGIN_REFERENCE_LENGTH = min(int(c.type.length or 0) for c in LOGIN_REFERENCES)  # type: ignore[attr-defined]

# Tables whose rows name a customer by customer ID: a customer ID rename carries them.
CUSTOMER_ID_REFERENCES: tuple[sa.Column[str], ...] = (
    customer_user_customer.c.customer_id,
    group_customer.c.customer_id,
)

# The last transaction each MariaDB/MySQL connection began to write, so that a commit whose
# answer was lost can be looked up (``datasources.db.commit_marks.write_commit_mark``) (0006).
roster_commit = sa.Table(
    "roster_commit",
    metadata,
    sa.Column("connection_id", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("token", sa.String(32), nullable=False),
    sa.Column("written_at", sa.DateTime(), nullable=False),
)
sa.Index("roster_commit_written_at", roster_commit.c.written_at)  # old marks are found by it

# Rows that transactions lock to take turns: MariaDB/MySQL's stand-in for PostgreSQL's advisory
# locks (``datasources.db.dialect.xact_lock``; rows 1…LOCK_SLOTS, seeded there only) (0006).
roster_lock = sa.Table(
    "roster_lock",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
)

# Counters of failed customer sign-ins, per login and per client (API key + address), shared by
# every server process (``datasources.db.sign_in_attempts``, ``domain.lockout``) (0009).
roster_sign_in_attempt = sa.Table(
    "roster_sign_in_attempt",
    metadata,
    sa.Column("subject", sa.String(64), primary_key=True),
    sa.Column("window_start", sa.BigInteger(), nullable=False),
    sa.Column("failures", sa.Integer(), nullable=False),
    sa.Column("locked_until", sa.BigInteger()),
    sa.Column("expires_at", sa.BigInteger(), nullable=False),
)
sa.Index("roster_sign_in_attempt_expires_at", roster_sign_in_attempt.c.expires_at)

# Customer session tokens (``datasources.db.customer_sessions``): only a SHA-256 of each; the
# login as the user's record spells it; the API key that signed the user in (0010).
roster_customer_session = sa.Table(
    "roster_customer_session",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("login", sa.String(191), nullable=False),
    sa.Column("key_id", sa.Integer(), nullable=False),
    sa.Column("create_time", sa.DateTime(), nullable=False),
    sa.Column("expire_time", sa.DateTime(), nullable=False),
    sa.Column("last_used_time", sa.DateTime(), nullable=False),
    sa.Column("revoke_time", sa.DateTime()),
)
sa.Index("roster_customer_session_login", roster_customer_session.c.login)

# The audit trail (``datasources.db.audit_events``, ``domain.audit``) (0015): one row per object a
# write changed, appended in the write's transaction. ``id`` is the event's position in commit
# order, taken from ``roster_audit_position``'s one row under its row lock just before the
# commit, so the changes feed never passes a transaction that commits later with a lower id.
CHANGES_TYPE = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
"""MariaDB's TEXT holds 64 KB; an assignment of 10,000 rows writes more."""

roster_audit_event = sa.Table(
    "roster_audit_event",
    metadata,
    sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
        autoincrement=False,
    ),
    sa.Column("occurred_at", sa.DateTime(), nullable=False),
    sa.Column("actor_key_id", sa.Integer(), nullable=False),
    sa.Column("actor_key_name", sa.String(100), nullable=False),
    sa.Column("actor_session_id", sa.Integer()),
    sa.Column("actor_login", sa.String(191)),
    sa.Column("object_type", sa.String(20), nullable=False),
    sa.Column("object_key", ORIGIN_KEY_TYPE, nullable=False),
    sa.Column("object_name", sa.String(250), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("changes", CHANGES_TYPE, nullable=False),
)  # fmt: skip
CHANGE_KEY = roster_audit_event.c.object_key
"""Where every change of a customer user keys it by its login (lower-cased): its audit event
here, and who changed it last (``roster_record_origin.object_key``, as wide). A backend table
an admin made with a login column wider than this can hold a login no change can record:
such a user is read, and renamed (``newLogin``), but not changed otherwise (``TOO_LONG``)."""
sa.Index(
    "roster_audit_event_object",
    roster_audit_event.c.object_type,
    roster_audit_event.c.object_key,
    roster_audit_event.c.id,
)
sa.Index("roster_audit_event_actor", roster_audit_event.c.actor_key_name, roster_audit_event.c.id)
sa.Index("roster_audit_event_occurred_at", roster_audit_event.c.occurred_at)

roster_audit_position = sa.Table(
    "roster_audit_position",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("last_position", sa.BigInteger(), nullable=False),
    sa.Column("pruned_through", sa.BigInteger(), nullable=False),
)
"""One row (id 1): the last audit event position handed out, and the last one pruned
(``roster audit prune``: a changes-feed cursor before it must resync). Its row lock, taken just
before a writing transaction commits, orders the positions as the commits."""

# ---- Tickets (0012): OTOBO's ticket tables, read by ``datasources.db.tickets`` ---------------
# Columns, keys and index names as ``otobo-schema.xml`` (rel-11_0) declares them. Roster only
# reads them; it creates them on a new database (with OTOBO's seed rows) and adopts them as
# they are on an OTOBO database. Foreign keys to tables Roster does not have (system_address,
# salutation, signature, follow_up_possible, sla, article) are not declared.


BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""OTOBO's BIGINT ids; INTEGER on SQLite, where only an INTEGER primary key autoincrements."""


def _lookup(name: str, *columns: sa.Column[Any], valid_id: bool = True) -> sa.Table:
    """One of OTOBO's small name tables (``ticket_state_type``, ``ticket_priority`` …)."""
    extra = [sa.Column("valid_id", sa.SmallInteger(), nullable=False)] if valid_id else []
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.SmallInteger(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(191), nullable=False, unique=True),
        *columns,
        *extra,
        *_audit(),
    )


queue = sa.Table(
    "queue",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(191), nullable=False, unique=True),
    sa.Column("group_id", sa.Integer(), nullable=False),
    sa.Column("unlock_timeout", sa.Integer()),
    sa.Column("first_response_time", sa.Integer()),
    sa.Column("first_response_notify", sa.SmallInteger()),
    sa.Column("update_time", sa.Integer()),
    sa.Column("update_notify", sa.SmallInteger()),
    sa.Column("solution_time", sa.Integer()),
    sa.Column("solution_notify", sa.SmallInteger()),
    sa.Column("system_address_id", sa.SmallInteger(), nullable=False),
    sa.Column("calendar_name", sa.String(100)),
    sa.Column("default_sign_key", sa.String(100)),
    sa.Column("salutation_id", sa.SmallInteger(), nullable=False),
    sa.Column("signature_id", sa.SmallInteger(), nullable=False),
    sa.Column("follow_up_id", sa.SmallInteger(), nullable=False),
    sa.Column("follow_up_lock", sa.SmallInteger(), nullable=False),
    sa.Column("comments", sa.String(250)),
    sa.Column("valid_id", sa.SmallInteger(), nullable=False),
    *_audit(),
)
ticket_state_type = _lookup(
    "ticket_state_type", sa.Column("comments", sa.String(250)), valid_id=False
)
ticket_state = _lookup(
    "ticket_state",
    sa.Column("comments", sa.String(250)),
    sa.Column("type_id", sa.SmallInteger(), nullable=False),
)
ticket_priority = _lookup("ticket_priority")
ticket_type = _lookup("ticket_type")
ticket_lock_type = _lookup("ticket_lock_type")

ticket = sa.Table(
    "ticket",
    metadata,
    sa.Column("id", BIGINT_ID, primary_key=True, autoincrement=True),
    sa.Column("tn", sa.String(50), nullable=False, unique=True),
    sa.Column("title", sa.String(191)),
    sa.Column("queue_id", sa.Integer(), nullable=False),
    sa.Column("ticket_lock_id", sa.SmallInteger(), nullable=False),
    sa.Column("type_id", sa.SmallInteger()),
    sa.Column("service_id", sa.Integer()),
    sa.Column("sla_id", sa.Integer()),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("responsible_user_id", sa.Integer(), nullable=False),
    sa.Column("ticket_priority_id", sa.SmallInteger(), nullable=False),
    sa.Column("ticket_state_id", sa.SmallInteger(), nullable=False),
    sa.Column("customer_id", sa.String(150)),
    sa.Column("customer_user_id", sa.String(191)),
    sa.Column("timeout", sa.Integer(), nullable=False),
    sa.Column("until_time", sa.Integer(), nullable=False),
    sa.Column("escalation_time", sa.Integer(), nullable=False),
    sa.Column("escalation_update_time", sa.Integer(), nullable=False),
    sa.Column("escalation_response_time", sa.Integer(), nullable=False),
    sa.Column("escalation_solution_time", sa.Integer(), nullable=False),
    sa.Column("archive_flag", sa.SmallInteger(), nullable=False, server_default="0"),
    *_audit(),
)

TICKET_INDEXES: dict[str, tuple[str, ...]] = {
    "ticket_title": ("title",),
    "ticket_customer_user_id": ("customer_user_id",),
    "ticket_customer_id": ("customer_id",),
    "ticket_queue_id": ("queue_id",),
    "ticket_ticket_lock_id": ("ticket_lock_id",),
    "ticket_queue_view": ("ticket_state_id", "ticket_lock_id"),
    "ticket_type_id": ("type_id",),
    "ticket_user_id": ("user_id",),
    "ticket_responsible_user_id": ("responsible_user_id",),
    "ticket_ticket_state_id": ("ticket_state_id",),
    "ticket_ticket_priority_id": ("ticket_priority_id",),
    "ticket_escalation_time": ("escalation_time",),
    "ticket_escalation_update_time": ("escalation_update_time",),
    "ticket_escalation_response_time": ("escalation_response_time",),
    "ticket_escalation_solution_time": ("escalation_solution_time",),
    "ticket_create_time": ("create_time",),
    "ticket_until_time": ("until_time",),
    "ticket_timeout": ("timeout",),
    "ticket_archive_flag": ("archive_flag",),
}
"""OTOBO's indexes on ``ticket`` (``otobo-schema.xml``), which the migration creates."""
for _name, _columns in TICKET_INDEXES.items():
    sa.Index(_name, *(ticket.c[c] for c in _columns))
sa.Index("queue_group_id", queue.c.group_id)

# Roster's: the permission modules compare a ticket's customer user and customer ID with
# ``lc`` (case-insensitively); not on MariaDB/MySQL, where OTOBO's collation does that (0012).
for _index in (
    sa.Index("roster_ticket_customer_user_id_lower", _lower(ticket.c.customer_user_id)),
    sa.Index("roster_ticket_customer_id_lower", _lower(ticket.c.customer_id)),
):
    _index.ddl_if(dialect=NOT_ON_MYSQL)  # type: ignore[arg-type]  # a tuple works (DDLIf)

# ---- Ticket history (0014): OTOBO's ``ticket_history`` and ``ticket_history_type`` ------------
# As ``otobo-schema.xml`` declares them (no foreign keys, as above); written by the ticket
# writes (``datasources.db.ticket_writes``) as OTOBO's ``HistoryAdd`` writes them.

ticket_history_type = sa.Table(
    "ticket_history_type",
    metadata,
    sa.Column("id", sa.SmallInteger(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(191), nullable=False),
    sa.Column("comments", sa.String(250)),
    sa.Column("valid_id", sa.SmallInteger(), nullable=False),
    *_audit(),
    sa.UniqueConstraint("name", name="ticket_history_type_name"),
)
ticket_history = sa.Table(
    "ticket_history",
    metadata,
    sa.Column("id", BIGINT_ID, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("history_type_id", sa.SmallInteger(), nullable=False),
    sa.Column("ticket_id", sa.BigInteger(), nullable=False),
    sa.Column("article_id", sa.BigInteger()),
    sa.Column("type_id", sa.SmallInteger(), nullable=False),
    sa.Column("queue_id", sa.Integer(), nullable=False),
    sa.Column("owner_id", sa.Integer(), nullable=False),
    sa.Column("priority_id", sa.SmallInteger(), nullable=False),
    sa.Column("state_id", sa.SmallInteger(), nullable=False),
    *_audit(),
)
for _name, _columns in {
    "ticket_history_ticket_id": ("ticket_id",),
    "ticket_history_article_id": ("article_id",),
    "ticket_history_history_type_id": ("history_type_id",),
    "ticket_history_queue_id": ("queue_id",),
    "ticket_history_type_id": ("type_id",),
    "ticket_history_owner_id": ("owner_id",),
    "ticket_history_priority_id": ("priority_id",),
    "ticket_history_state_id": ("state_id",),
    "ticket_history_create_time": ("create_time",),
}.items():
    sa.Index(_name, *(ticket_history.c[c] for c in _columns))
