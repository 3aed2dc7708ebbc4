"""The import file's columns and cells, without a database: what a header may name, and that
every list the export writes reads back as the same list."""

from __future__ import annotations

import pytest

from domain.bulk_rows import (
    Columns,
    RowKind,
    ShapeError,
    grants_cell,
    names_cell,
    parse_row,
)
from domain.company_map import default_company_map
from domain.field_map import default_db_map

COLUMNS = Columns(tuple(default_db_map()), tuple(default_company_map()))


def test_a_column_is_a_map_attribute_or_a_column_for_the_kind_of_its_row() -> None:
    assert COLUMNS.attribute(RowKind.CUSTOMER_USER, "email") == "UserEmail"
    assert COLUMNS.attribute(RowKind.CUSTOMER_USER, "UserEmail") == "UserEmail"
    assert COLUMNS.attribute(RowKind.CUSTOMER_USER, "customer_id") == "UserCustomerID"
    assert COLUMNS.attribute(RowKind.CUSTOMER, "customer_id") == "CustomerID"
    assert COLUMNS.attribute(RowKind.CUSTOMER, "email") is None
    assert COLUMNS.is_password_hash("UserPassword")
    assert COLUMNS.is_password_hash("pw")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["login", "colour", "shoe"], "unknown column(s): colour, shoe"),
        (["email", "first_name"], "missing required column: UserLogin"),
        (["type", "email"], "missing required column: UserLogin or CustomerID"),
        (["login", "UserLogin"], "columns 'login' and 'UserLogin' name the same field"),
    ],
)
def test_bad_headers_are_refused_with_what_to_fix(header: list[str], message: str) -> None:
    with pytest.raises(ShapeError) as raised:
        COLUMNS.check_header(header)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "names",
    [[], ["ACME"], ["ACME", "GLOBEX"], ["a|b", "c"], ["[odd"], ["", "x"]],
)
def test_every_list_cell_reads_back_as_written(names: list[str]) -> None:
    row = parse_row(COLUMNS, 2, {"login": "ann", "customers": names_cell(names)}, text_cells=True)
    assert row.customers == names
    assert not row.problems


@pytest.mark.parametrize(
    "grants",
    [
        {},
        {"support": ["ro", "rw"]},
        {"support": ["rw"], "billing": ["ro"]},
        {"a:b": ["rw"]},
        {"x|y": ["ro"], "{z": ["rw"]},
    ],
)
def test_every_grants_cell_reads_back_as_written(grants: dict[str, list[str]]) -> None:
    row = parse_row(COLUMNS, 2, {"login": "ann", "groups": grants_cell(grants)}, text_cells=True)
    assert row.groups == {g: tuple(p) for g, p in grants.items()}
    assert not row.problems


def test_csv_cells_become_values_and_bad_cells_problems() -> None:
    cells = {"type": "customer_user", "login": "ann", "valid_id": "2", "groups": "nocolon"}
    row = parse_row(COLUMNS, 5, cells, text_cells=True)
    assert row.values == {"UserLogin": "ann", "ValidID": 2}
    assert [p.field for p in row.problems] == [("groups",)]
    customer = parse_row(COLUMNS, 6, {"type": "customer", "services": "X"}, text_cells=True)
    assert [p.field for p in customer.problems] == [("services",)]
    unknown = parse_row(COLUMNS, 7, {"type": "person"}, text_cells=True)
    assert [p.field for p in unknown.problems] == [("type",)]
