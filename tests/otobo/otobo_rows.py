"""Rows as OTOBO writes them: the data an OTOBO installation holds before Roster arrives, and
the row OTOBO's own code would write for each thing Roster is asked to do.

Each builder restates one OTOBO writer (file and function named; commit as in
``schema_*.sql``), so a test can put Roster's row beside OTOBO's, column by column. Values are
text, as the databases print them (``tests.otobo.otobo_db.rows``); ``None`` is NULL. The audit
times are left out of the builders (OTOBO writes ``current_timestamp``): the tests check them
apart (whole seconds, no zone, the time of the write).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

AGENT = "agent.smith"
"""An OTOBO agent besides root@localhost (id 1): the one who wrote the existing rows."""
AGENT_ID = "2"
THEN = "2024-03-04 09:15:00"
LATER = "2024-05-06 17:30:00"
SAME_CONTEXT = "Ticket::CustomerID::Same"

CUSTOMER_USER_MAP = (
    "title",
    "first_name",
    "last_name",
    "login",
    "email",
    "customer_id",
    "phone",
    "fax",
    "mobile",
    "street",
    "zip",
    "city",
    "country",
    "comments",
)
"""OTOBO's default customer-user Map columns, in Map order, without ``pw`` and ``valid_id``
(``Kernel/Config/Defaults.pm``, ``CustomerUser`` → ``Map``)."""

CUSTOMER_COMPANY_MAP = (
    "customer_id",
    "name",
    "street",
    "zip",
    "city",
    "country",
    "url",
    "comments",
)


def sha2(password: str) -> str:
    """OTOBO's default ``Customer::AuthModule::DB::CryptType`` (``sha2``): unsalted SHA-256."""
    return hashlib.sha256(password.encode()).hexdigest()


NUMBERS = {"valid_id", "create_by", "change_by", "permission_value"}
TIMES = {"create_time", "change_time"}


def _sql(column: str, value: str | None) -> str:
    """A literal both databases read as the column's type, also in ``INSERT … SELECT``."""
    if value is None:
        return "NULL"
    if column in NUMBERS:
        return str(int(value))
    quoted = "'" + value.replace("'", "''") + "'"
    return f"TIMESTAMP {quoted}" if column in TIMES else quoted


def _values(row: Mapping[str, str | None]) -> list[str]:
    return [_sql(column, value) for column, value in row.items()]


def insert(table: str, row: Mapping[str, str | None]) -> str:
    return f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(_values(row))})"


def audit(by: str, at: str = THEN, *, changes: bool = True) -> dict[str, str]:
    row = {"create_time": at, "create_by": by}
    return {**row, "change_time": at, "change_by": by} if changes else row


def customer_user_add(values: Mapping[str, str], *, valid_id: str = "1") -> dict[str, str | None]:
    """``Kernel/System/CustomerUser/DB.pm`` ``CustomerUserAdd``: every Map column, ``''`` for a
    text field not given; ``pw`` untouched (NULL until ``SetPassword``)."""
    return {
        **{column: values.get(column, "") for column in CUSTOMER_USER_MAP},
        "pw": None,
        "valid_id": valid_id,
    }


def customer_company_add(values: Mapping[str, str]) -> dict[str, str | None]:
    """``Kernel/System/CustomerCompany/DB.pm`` ``CustomerCompanyAdd``: missing fields NULL."""
    return {column: values.get(column) for column in CUSTOMER_COMPANY_MAP}


def group_add(name: str, comment: str = "", valid_id: str = "1") -> dict[str, str | None]:
    """``Kernel/Modules/AdminGroup.pm`` → ``Group.pm`` ``GroupAdd``: the admin screen sends
    ``Comment`` as ``''`` when left empty (``GetParam(...) || ''``)."""
    return {"name": name, "comments": comment, "valid_id": valid_id}


def service_add(full_name: str, comment: str = "", valid_id: str = "1") -> dict[str, str | None]:
    """``Kernel/System/Service.pm`` ``ServiceAdd``: the full name, ``Comment ||= ''``."""
    return {"name": full_name, "valid_id": valid_id, "comments": comment}


def group_member_add(login: str, group_id: str, permissions: list[str]) -> list[dict[str, str]]:
    """``Kernel/System/CustomerGroup.pm`` ``GroupMemberAdd``: ``rw`` set replaces the hash by
    ``{rw => 1}``; one row per key with ``permission_value`` 1."""
    keys = ["rw"] if "rw" in permissions else sorted(permissions)
    return [
        {"user_id": login, "group_id": group_id, "permission_key": k, "permission_value": "1"}
        for k in keys
    ]


def group_customer_add(
    customer_id: str, group_id: str, permissions: list[str], context: str = SAME_CONTEXT
) -> list[dict[str, str]]:
    """``CustomerGroup.pm`` ``GroupCustomerAdd``: per context, ``rw`` replaces the hash by
    ``{rw => 1}``; one row per configured type (``ro``, ``rw``) given."""
    keys = ["rw"] if "rw" in permissions else [k for k in ("ro", "rw") if k in permissions]
    return [
        {
            "customer_id": customer_id,
            "group_id": group_id,
            "permission_key": k,
            "permission_value": "1",
            "permission_context": context,
        }
        for k in keys
    ]


EXISTING_USERS: dict[str, dict[str, str | None]] = {
    "jdoe": {
        **customer_user_add(
            {
                "title": "Dr.",
                "first_name": "Jane",
                "last_name": "Doe",
                "login": "jdoe",
                "email": "jane.doe@acme.test",
                "customer_id": "acme",
                "phone": "+49 30 1234",
                "street": "Main Street 1",
                "zip": "12345",
                "city": "Springfield",
                "country": "USA",
            }
        ),
        "pw": sha2("otobo-secret"),
        **audit(AGENT_ID),
    },
    "mmueller": {
        **customer_user_add(
            {
                "first_name": "Max",
                "last_name": "Müller",
                "login": "mmueller",
                "email": "max.mueller@globex.test",
                "customer_id": "globex",
            }
        ),
        **audit("1", LATER),
    },
    "gone": {
        **customer_user_add(
            {
                "first_name": "Gone",
                "last_name": "Away",
                "login": "gone",
                "email": "gone@acme.test",
                "customer_id": "acme",
            },
            valid_id="2",
        ),
        **audit(AGENT_ID),
    },
}
"""Customer users as OTOBO stored them: ``''`` in every empty optional column, ``pw`` NULL
or OTOBO's default sha2 hash; one of them invalid."""

EXISTING_CUSTOMERS: dict[str, dict[str, str | None]] = {
    "acme": {
        **customer_company_add(
            {
                "customer_id": "acme",
                "name": "Acme Corp",
                "street": "Main Street 1",
                "zip": "12345",
                "city": "Springfield",
                "country": "USA",
                "url": "https://acme.test",
                "comments": "Key account",
            }
        ),
        "valid_id": "1",
        **audit(AGENT_ID),
    },
    "globex": {
        **customer_company_add({"customer_id": "globex", "name": "Globex"}),
        "valid_id": "1",
        **audit("1"),
    },
    "initech": {
        **customer_company_add({"customer_id": "initech", "name": "Initech"}),
        "valid_id": "2",
        **audit("1"),
    },
}
"""Customers as OTOBO stored them: NULL in the optional columns not given."""


def insert_with_id(
    table: str, row: Mapping[str, str | None], *, column: str, source: str, name: str
) -> str:
    """``row`` with ``column`` the id of the ``source`` row named ``name`` (ids are the
    database's own, as OTOBO lets them be)."""
    names = ", ".join([*row, column])
    values = ", ".join([*_values(row), "id"])
    return f"INSERT INTO {table} ({names}) SELECT {values} FROM {source} WHERE name = '{name}'"


def existing_data() -> str:
    """The SQL that fills a fresh OTOBO database as an OTOBO installation would have."""
    services = (
        ("IT", "", "1"),
        ("IT::Network", "", "1"),
        ("IT::Network::VPN", "Remote access", "1"),
        ("Facilities", "", "2"),
    )
    grants = [
        *group_member_add("jdoe", "", ["rw"]),
        *group_member_add("mmueller", "", ["ro"]),
    ]
    statements = [
        insert(
            "users",
            {
                "first_name": "Agent",
                "last_name": "Smith",
                "login": AGENT,
                "pw": sha2("agent"),
                "valid_id": "1",
                **audit("1"),
            },
        ),
        *(insert("customer_company", row) for row in EXISTING_CUSTOMERS.values()),
        *(insert("customer_user", row) for row in EXISTING_USERS.values()),
        insert(
            "customer_user_customer",
            {"user_id": "jdoe", "customer_id": "globex", **audit(AGENT_ID)},
        ),
        insert(
            "customer_preferences",
            {"user_id": "jdoe", "preferences_key": "UserLanguage", "preferences_value": "de"},
        ),
        insert("groups_table", {**group_add("support", "Support customers"), **audit(AGENT_ID)}),
        insert("groups_table", {**group_add("legacy", valid_id="2"), **audit(AGENT_ID)}),
        *(
            insert("service", {**service_add(name, comment, valid), **audit(AGENT_ID)})
            for name, comment, valid in services
        ),
        *(
            insert_with_id(
                "group_customer_user",
                {**{k: v for k, v in grant.items() if k != "group_id"}, **audit(AGENT_ID)},
                column="group_id",
                source="groups_table",
                name="support",
            )
            for grant in grants
        ),
        *(
            insert_with_id(
                "group_customer",
                {**{k: v for k, v in grant.items() if k != "group_id"}, **audit(AGENT_ID)},
                column="group_id",
                source="groups_table",
                name="support",
            )
            for grant in group_customer_add("acme", "", ["ro"])
        ),
        *(
            insert_with_id(
                "service_customer_user",
                {"customer_user_login": login, **audit(AGENT_ID, changes=False)},
                column="service_id",
                source="service",
                name=service,
            )
            for login, service in (("jdoe", "IT::Network::VPN"), ("<DEFAULT>", "IT"))
        ),
    ]
    return ";\n".join(statements) + ";\n"
