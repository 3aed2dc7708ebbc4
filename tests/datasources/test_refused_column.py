"""Which column MariaDB's and MySQL's error 1366 names (``collation_check.refused_column``),
and the input field the safety net then reports (``four_byte_refusal``).

MariaDB's messages are checked on the real server in ``tests/api/test_three_byte_columns.py``;
MySQL is not among the databases the tests run, so its wording
(``ER_TRUNCATED_WRONG_VALUE_FOR_FIELD`` in MySQL 8.0 and 8.4: ``for column '%.192s' at row
%lu``, the column alone) is written out here, in the error the driver raises for it (a
stand-in for a server these tests cannot start).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from asyncmy.errors import DataError
from sqlalchemy.dialects import mysql

from datasources.db.collation_check import four_byte_refusal, refused_column
from domain.errors import ErrorCode

MARIADB = (
    "Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column "
    "`roster_1`.`customer_user`.`first_name` at row 1"
)
MYSQL = "Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column 'first_name' at row 3"


@pytest.mark.parametrize(
    ("message", "named"),
    [
        (MARIADB, ("customer_user", "first_name")),
        (MYSQL, (None, "first_name")),
        ("Incorrect string value: '\\xF0' for column `a``b`.`c` at row 2", ("a`b", "c")),
        ("Incorrect string value: '\\xF0\\x9F'", None),
    ],
)
def test_the_column_a_message_names(message: str, named: tuple[str | None, str] | None) -> None:
    assert refused_column(message) == named


def refusal(message: str) -> sa.exc.DBAPIError:
    return sa.exc.DBAPIError("INSERT …", {}, DataError(1366, message))


FIELDS = {
    ("customer_user", "first_name"): [("UserFirstname",)],
    ("customer_company", "comments"): [("comment",)],
    ("groups_table", "comments"): [("comment",)],
}


def test_mariadb_names_the_table_so_the_field_is_found() -> None:
    problems = four_byte_refusal(refusal(MARIADB), mysql.dialect(), FIELDS)
    assert problems is not None
    assert [(p.field, p.code) for p in problems] == [
        (("UserFirstname",), ErrorCode.INVALID_CHARACTERS)
    ]
    assert "customer_user.first_name" in problems[0].message
    assert "ALTER TABLE customer_user CONVERT TO CHARACTER SET utf8mb4" in problems[0].message


def test_mysql_names_the_column_alone_which_is_enough_when_one_table_has_it() -> None:
    problems = four_byte_refusal(refusal(MYSQL), mysql.dialect(), FIELDS)
    assert problems is not None
    assert [p.field for p in problems] == [("UserFirstname",)]
    assert "ALTER TABLE customer_user CONVERT" in problems[0].message


def test_a_column_of_two_tables_or_of_none_is_the_input_as_a_whole() -> None:
    ambiguous = MYSQL.replace("'first_name'", "'comments'")
    for message, fields in ((ambiguous, FIELDS), (MARIADB, {}), (MYSQL, None)):
        problems = four_byte_refusal(refusal(message), mysql.dialect(), fields)
        assert problems is not None
        assert [(p.field, p.code) for p in problems] == [((), ErrorCode.INVALID_CHARACTERS)]


def test_other_errors_are_not_refusals() -> None:
    too_long = sa.exc.DBAPIError("INSERT …", {}, DataError(1406, "Data too long for column 'd'"))
    assert four_byte_refusal(too_long, mysql.dialect(), FIELDS) is None
    assert four_byte_refusal(ValueError("x"), mysql.dialect(), FIELDS) is None
