"""Replacing a set of relation rows: the diff behind every assignment mutation's ``changes``
and ``dryRun``, with logins and customer IDs compared case-insensitively as OTOBO's lookups
do (re-saving a set in other casing changes nothing); and the rules an assignment's input
must meet (``domain.assignment_rules``), pure, without a database.
"""

from __future__ import annotations

from domain.assignment_rules import (
    GRANTS,
    Grant,
    grant_problems,
    group_paths,
)
from domain.assignments import (
    Change,
    ChangeKind,
    CustomerGroupRow,
    UserCustomerRow,
    UserGroupRow,
    UserServiceRow,
    changes_of,
    conflicting_duplicates,
    dedupe_folded,
    diff,
    distinct_rows,
)
from domain.config import CustomerGroupConfig
from domain.errors import ErrorCode
from domain.permissions import OTHER_CONTEXT, SAME_CONTEXT

CONFIG = CustomerGroupConfig(permission_types=["ro", "rw"], contexts=["Same"])


def test_diff_adds_first_then_removes() -> None:
    a, b, c = (UserGroupRow(login, 1, "ro") for login in "abc")
    assert diff([a, b], [b, c]) == [Change(ChangeKind.ADDED, c), Change(ChangeKind.REMOVED, a)]


def test_the_same_set_changes_nothing_even_in_other_casing() -> None:
    assert diff([UserCustomerRow("Ada", "ACME")], [UserCustomerRow("ada", "acme")]) == []
    assert diff([UserGroupRow("Ada", 1, "rw")], [UserGroupRow("ada", 1, "RW")]) == []


def test_other_permission_or_context_is_another_row() -> None:
    ro = CustomerGroupRow("ACME", 1, "ro", SAME_CONTEXT)
    rw = CustomerGroupRow("ACME", 1, "rw", SAME_CONTEXT)
    other = CustomerGroupRow("ACME", 1, "ro", OTHER_CONTEXT)
    assert diff([ro], [rw, other]) == [
        Change(ChangeKind.ADDED, rw),
        Change(ChangeKind.ADDED, other),
        Change(ChangeKind.REMOVED, ro),
    ]


def test_an_empty_wish_removes_everything() -> None:
    rows = [UserServiceRow("a", 1), UserServiceRow("a", 2)]
    assert [c.kind for c in diff(rows, [])] == [ChangeKind.REMOVED] * 2


def test_changes_of_explicit_lists() -> None:
    x, y = UserServiceRow("x", 1), UserServiceRow("y", 1)
    assert changes_of([x], [y]) == [Change(ChangeKind.ADDED, x), Change(ChangeKind.REMOVED, y)]


def test_distinct_rows_keeps_one_row_per_key() -> None:
    rows = [UserGroupRow("ada", 1, "ro"), UserGroupRow("ADA", 1, "ro"), UserGroupRow("a", 2, "ro")]
    assert distinct_rows(rows) == [UserGroupRow("ADA", 1, "ro"), UserGroupRow("a", 2, "ro")]


def test_dedupe_folded_keeps_first_spelling_and_order() -> None:
    assert dedupe_folded(["B", "a", "b", "A", "c"]) == ["B", "a", "c"]
    assert dedupe_folded([3, 1, 3]) == [3, 1]
    assert dedupe_folded([]) == []


def test_conflicting_duplicates() -> None:
    keys = [1, 2, 1, 1, 2]
    permissions = [["ro", "rw"], ["ro"], ["rw", "ro"], ["ro"], ["ro"]]
    # the same set in another order is a repetition; another set contradicts the first entry
    assert conflicting_duplicates(keys, permissions) == [(3, 0)]
    assert conflicting_duplicates([], []) == []


def test_grant_problems_name_domain_paths_in_order() -> None:
    grants = [
        Grant("ACME", ("ro", "own"), "Other"),
        Grant("acme", ("rw",), "Other"),
    ]
    problems = grant_problems(grants, "customer_id", CONFIG, contexts=True)
    assert [(p.field, p.code) for p in problems] == [
        ((GRANTS, "0", "permissions"), ErrorCode.UNKNOWN_PERMISSION),
        ((GRANTS, "0", "context"), ErrorCode.UNKNOWN_CONTEXT),
        ((GRANTS, "1", "context"), ErrorCode.UNKNOWN_CONTEXT),
        ((GRANTS, "1", "customer_id"), ErrorCode.DUPLICATE),
    ]
    assert problems[-1].message.startswith("Customer 'acme' is named again")


def test_a_repeated_grant_is_no_duplicate_and_contexts_only_count_where_asked() -> None:
    same = [Grant(7, ("ro", "rw")), Grant(7, ("rw", "ro"), "Other")]
    assert grant_problems(same, "group_id", CONFIG, contexts=False) == []


def test_group_paths_say_where_each_group_was_named() -> None:
    assert group_paths([Grant(5, ()), Grant(6, ()), Grant(5, ())]) == {
        5: (GRANTS, "2", "group_id"),
        6: (GRANTS, "1", "group_id"),
    }
    assert group_paths([Grant("ada", ())]) == {}
