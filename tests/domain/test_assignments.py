"""Replacing a set of relation rows: the diff behind every assignment mutation's ``changes``
and ``dryRun``, with logins and customer IDs compared case-insensitively as OTOBO's lookups
do (re-saving a set in other casing changes nothing).
"""

from __future__ import annotations

from domain.assignments import (
    Change,
    ChangeKind,
    Link,
    changes_of,
    conflicting_duplicates,
    dedupe_folded,
    diff,
)


def test_diff_adds_first_then_removes() -> None:
    a, b, c = Link(login="a", group_id=1), Link(login="b", group_id=1), Link(login="c", group_id=1)
    assert diff([a, b], [b, c]) == [Change(ChangeKind.ADDED, c), Change(ChangeKind.REMOVED, a)]


def test_the_same_set_changes_nothing_even_in_other_casing() -> None:
    stored = [Link(login="Ada", customer_id="ACME", group_id=1, permission="rw")]
    wanted = [Link(login="ada", customer_id="acme", group_id=1, permission="RW")]
    assert diff(stored, wanted) == []


def test_other_permission_or_context_is_another_row() -> None:
    ro = Link(customer_id="ACME", group_id=1, permission="ro", context="Same")
    rw = Link(customer_id="ACME", group_id=1, permission="rw", context="Same")
    other = Link(customer_id="ACME", group_id=1, permission="ro", context="Other")
    assert diff([ro], [rw, other]) == [
        Change(ChangeKind.ADDED, rw),
        Change(ChangeKind.ADDED, other),
        Change(ChangeKind.REMOVED, ro),
    ]


def test_an_empty_wish_removes_everything() -> None:
    rows = [Link(login="a", service_id=1), Link(login="a", service_id=2)]
    assert [c.kind for c in diff(rows, [])] == [ChangeKind.REMOVED] * 2


def test_changes_of_explicit_lists() -> None:
    x, y = Link(login="x"), Link(login="y")
    assert changes_of([x], [y]) == [Change(ChangeKind.ADDED, x), Change(ChangeKind.REMOVED, y)]


def test_dedupe_folded_keeps_first_spelling_and_order() -> None:
    assert dedupe_folded(["B", "a", "b", "A", "c"]) == ["B", "a", "c"]
    assert dedupe_folded([]) == []


def test_conflicting_duplicates() -> None:
    keys = [1, 2, 1, 1, 2]
    permissions = [["ro", "rw"], ["ro"], ["rw", "ro"], ["ro"], ["ro"]]
    # the same set in another order is a repetition; another set contradicts the first entry
    assert conflicting_duplicates(keys, permissions) == [(3, 0)]
    assert conflicting_duplicates([], []) == []
