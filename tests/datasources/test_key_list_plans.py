"""How MariaDB plans a long key list (``paging.KeyList``): a DataLoader batch, a set of 10,000
assignments, an import batch. The exact test must be a list of constants MariaDB can look up,
never a join it runs row by row: the ``JSON_TABLE`` semi-join it replaced was estimated at 40
rows whatever the list, joined through a block nested loop (10,000 logins against 10,000 users:
6.3 s) and, in a ``DELETE``, ran as a dependent subquery past the statement time limit. A plan is
what this test reads (EXPLAIN), not a time; the rows are checked too."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.tables import customer_user, service, service_customer_user
from datasources.paging import lower_in
from tests.conftest import Api

USERS = 3_000  # past MariaDB's in_predicate_conversion_threshold (1,000)


async def explained(conn: Any, statement: sa.ClauseElement) -> str:
    """MariaDB's EXPLAIN of ``statement``, every cell of every row in one text."""
    sql = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    rows = await conn.exec_driver_sql(f"EXPLAIN {sql}")
    return " | ".join(" ".join(str(cell) for cell in row) for row in rows)


async def test_a_long_key_list_is_looked_up_not_joined_row_by_row(api: Api) -> None:
    if api.kind != "mariadb":
        pytest.skip("the plan is MariaDB's (PostgreSQL and SQLite join the list by hash)")
    now = utcnow()
    audit = {"create_time": now, "create_by": 1, "change_time": now, "change_by": 1}
    logins = [f"plan{i:05d}" for i in range(USERS)]
    asked = [login.upper() for login in logins]  # as a client may spell them
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.insert(customer_user),
            [
                {
                    "login": login,
                    "email": f"{login}@acme.test",
                    "customer_id": "PLAN",
                    "first_name": "P",
                    "last_name": "Lan",
                    "valid_id": 1,
                    **audit,
                }
                for login in logins
            ],
        )
        service_id = (
            await conn.execute(
                sa.insert(service).values(name="Plan", valid_id=1, **audit).returning(service.c.id)
            )
        ).scalar_one()
        await conn.execute(
            sa.insert(service_customer_user),
            [{"customer_user_login": login, "service_id": service_id, **audit} for login in logins],
        )
        dialect = conn.dialect.name
        read = sa.select(customer_user.c.login).where(
            lower_in(customer_user.c.login, asked, dialect)
        )
        link = service_customer_user.c.customer_user_login
        delete = sa.delete(service_customer_user).where(
            service_customer_user.c.service_id == service_id,
            lower_in(link, asked[::2], dialect),
        )

        read_plan, delete_plan = await explained(conn, read), await explained(conn, delete)
        assert "join buffer" not in read_plan, read_plan
        assert "DEPENDENT SUBQUERY" not in delete_plan, delete_plan
        assert sorted((await conn.execute(read)).scalars()) == logins
        assert (await conn.execute(delete)).rowcount == USERS // 2
        await conn.rollback()
