"""Unit tests of ``domain/permissions.py``: OTOBO's GroupMemberList / CustomerIDs / PermissionCheck
restated with reasons (``otobo-groups-services.md`` §2.5-§2.8). Pure: no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest

from domain.assignments import CustomerGroupRow, UserGroupRow
from domain.permissions import (
    OTHER_CONTEXT,
    SAME_CONTEXT,
    EffectivePermission,
    GroupSettings,
    Reason,
    ReasonKind,
    customer_ids,
    effective_permissions,
    has_permission,
    split_customer_ids,
)
from domain.records import Audit, GroupRecord
from domain.validity import Validity

AUDIT = Audit(None, None, None, None)
USERS = GroupRecord(1, "users", None, Validity.VALID, AUDIT)
ADMIN = GroupRecord(2, "admin", None, Validity.VALID, AUDIT)
STATS = GroupRecord(3, "stats", None, Validity.VALID, AUDIT)
GONE = GroupRecord(4, "gone", None, Validity.INVALID, AUDIT)
PAUSED = GroupRecord(5, "paused", None, Validity.INVALID_TEMPORARILY, AUDIT)
GROUPS = (USERS, ADMIN, STATS, GONE, PAUSED)

ON = GroupSettings(support=True, always_groups=(), company_always_groups=())
ON_MOVE = GroupSettings(
    support=True,
    always_groups=(),
    company_always_groups=(),
    permission_types=("ro", "move_into", "rw"),
)

DIRECT = Reason(ReasonKind.DIRECT_GRANT)
DIRECT_RW = Reason(ReasonKind.DIRECT_GRANT, via_rw=True)
ALWAYS = Reason(ReasonKind.ALWAYS_GROUP)
OFF = Reason(ReasonKind.GROUP_SUPPORT_OFF)


def customer(cid: str, *, via_rw: bool = False) -> Reason:
    return Reason(ReasonKind.CUSTOMER_GRANT, via_rw, cid)


def company_always(cid: str) -> Reason:
    return Reason(ReasonKind.COMPANY_ALWAYS_GROUP, customer_id=cid)


def user_grant(group: GroupRecord, permission: str, login: str = "U") -> UserGroupRow:
    return UserGroupRow(login=login, group_id=group.id, permission=permission)


def customer_grant(
    group: GroupRecord, permission: str, cid: str = "C", context: str = SAME_CONTEXT
) -> CustomerGroupRow:
    return CustomerGroupRow(
        customer_id=cid, group_id=group.id, permission=permission, context=context
    )


def compute(
    settings: GroupSettings = ON,
    *,
    ids: Sequence[str] = ("C",),
    users: Iterable[UserGroupRow] = (),
    customers: Iterable[CustomerGroupRow] = (),
    groups: Iterable[GroupRecord] = GROUPS,
) -> list[EffectivePermission]:
    return effective_permissions(settings, groups, ids, users, customers)


def table(found: list[EffectivePermission]) -> dict[tuple[str, str], tuple[Reason, ...]]:
    out = {(p.group.name, p.permission): p.reasons for p in found}
    assert len(out) == len(found), "one entry per (group, permission)"
    return out


def held(found: list[EffectivePermission], permission: str) -> list[str]:
    """Like GroupMemberList(UserID, Type, Result=Name): the group names, sorted."""
    return sorted(p.group.name for p in found if p.permission == permission)


# --- effective_permissions: direct grants (CG.t 7.1) ----------------------------------------------


def test_no_rows_no_permissions() -> None:
    assert compute() == []


def test_cg_7_1_step_6_ro() -> None:
    found = compute(users=[user_grant(USERS, "ro")])
    assert table(found) == {("users", "ro"): (DIRECT,)}
    assert has_permission(found, "users", "ro")
    assert not has_permission(found, "users", "rw")


def test_cg_7_1_step_7_ro_and_move_into() -> None:
    found = compute(ON_MOVE, users=[user_grant(USERS, "ro"), user_grant(USERS, "move_into")])
    assert held(found, "ro") == ["users"]
    assert held(found, "move_into") == ["users"]
    assert held(found, "rw") == []


def test_cg_7_1_step_8_rw_implies_every_configured_type() -> None:
    found = compute(ON_MOVE, users=[user_grant(USERS, "rw")])
    assert table(found) == {
        ("users", "ro"): (DIRECT_RW,),
        ("users", "move_into"): (DIRECT_RW,),
        ("users", "rw"): (DIRECT,),
    }


def test_cg_7_4_step_22_move_into_does_not_give_ro() -> None:
    found = compute(ON_MOVE, users=[user_grant(USERS, "move_into")])
    assert held(found, "ro") == []
    assert held(found, "move_into") == ["users"]


def test_cg_7_4_step_25_several_groups_sorted_by_upper_name() -> None:
    found = compute(users=[user_grant(g, "ro") for g in (USERS, STATS, ADMIN)])
    assert [p.group.name for p in found] == ["admin", "stats", "users"]


def test_order_is_group_name_case_insensitive_then_type_order() -> None:
    lower = GroupRecord(10, "beta", None, Validity.VALID, AUDIT)
    upper = GroupRecord(11, "Alpha", None, Validity.VALID, AUDIT)
    found = compute(
        ON_MOVE,
        users=[user_grant(lower, "rw"), user_grant(upper, "ro")],
        groups=[lower, upper],
    )
    assert [(p.group.name, p.permission) for p in found] == [
        ("Alpha", "ro"),
        ("beta", "ro"),
        ("beta", "move_into"),
        ("beta", "rw"),
    ]


def test_ro_and_rw_rows_give_both_reasons_once_each() -> None:
    rows = [user_grant(USERS, "ro"), user_grant(USERS, "rw"), user_grant(USERS, "ro")]
    assert table(compute(users=rows))[("users", "ro")] == (DIRECT, DIRECT_RW)


def test_a_stored_key_outside_the_configured_types_is_listed() -> None:
    """OTOBO stores any key (GroupMemberAdd does not filter); such a row still counts."""
    found = compute(users=[user_grant(USERS, "create")])
    assert table(found) == {("users", "create"): (DIRECT,)}
    assert has_permission(found, "users", "create")


def test_invalid_groups_never_appear() -> None:
    rows = [user_grant(GONE, "rw"), user_grant(PAUSED, "ro"), user_grant(USERS, "ro")]
    company = [customer_grant(GONE, "rw"), customer_grant(PAUSED, "rw")]
    found = compute(users=rows, customers=company)
    assert table(found) == {("users", "ro"): (DIRECT,)}
    assert not has_permission(found, "gone", "ro")


def test_grants_on_unknown_groups_are_ignored() -> None:
    ghost = GroupRecord(99, "ghost", None, Validity.VALID, AUDIT)
    assert compute(users=[user_grant(ghost, "rw")], customers=[customer_grant(ghost, "rw")]) == []


# --- effective_permissions: customers (CG.t 7.7) ------------------------------------------------


def test_cg_7_7_step_34_direct_ro_is_not_rw() -> None:
    assert held(compute(users=[user_grant(USERS, "ro")]), "rw") == []


def test_cg_7_7_step_35_customer_rw_is_inherited() -> None:
    found = compute(users=[user_grant(USERS, "ro")], customers=[customer_grant(USERS, "rw")])
    assert table(found) == {
        ("users", "ro"): (DIRECT, customer("C", via_rw=True)),
        ("users", "rw"): (customer("C"),),
    }
    assert has_permission(found, "users", "rw")


def test_cg_7_7_step_37_only_the_customers_rw_group() -> None:
    found = compute(
        users=[user_grant(g, "ro") for g in (USERS, ADMIN, STATS)],
        customers=[customer_grant(STATS, "rw")],
    )
    assert held(found, "rw") == ["stats"]
    assert held(found, "ro") == ["admin", "stats", "users"]


def test_customer_grants_count_only_for_the_users_customer_ids() -> None:
    company = [customer_grant(USERS, "ro", "C"), customer_grant(ADMIN, "ro", "OTHER-CO")]
    assert held(compute(ids=["C"], customers=company), "ro") == ["users"]
    assert held(compute(ids=["OTHER-CO"], customers=company), "ro") == ["admin"]
    assert compute(ids=[], customers=company) == []


def test_customer_ids_match_case_insensitively_and_keep_the_users_spelling() -> None:
    found = compute(ids=["acme"], customers=[customer_grant(USERS, "ro", "ACME")])
    assert table(found) == {("users", "ro"): (customer("acme"),)}


def test_several_customers_each_give_a_reason() -> None:
    company = [customer_grant(USERS, "ro", "C1"), customer_grant(USERS, "rw", "C2")]
    found = compute(ids=["C1", "C2"], customers=company)
    assert table(found) == {
        ("users", "ro"): (customer("C1"), customer("C2", via_rw=True)),
        ("users", "rw"): (customer("C2"),),
    }


def test_the_other_context_adds_no_group() -> None:
    """§2.6: Other-context rows only widen ticket access; they do not add the group."""
    company = [customer_grant(USERS, "rw", context=OTHER_CONTEXT)]
    assert compute(customers=company) == []
    company.append(customer_grant(ADMIN, "ro", context="Ticket::CustomerID::Unknown"))
    assert compute(customers=company) == []


def test_customer_type_outside_configured_types_is_ignored() -> None:
    """GroupCustomerAdd stores only configured types; a stray row does not count."""
    assert compute(customers=[customer_grant(USERS, "create")]) == []


# --- effective_permissions: always-groups (CG.t 7.3) ---------------------------------------------


def test_cg_7_3_step_16_always_groups_give_every_type() -> None:
    settings = GroupSettings(
        support=True,
        always_groups=("users",),
        company_always_groups=("users",),
        permission_types=("ro", "move_into", "rw"),
    )
    found = compute(settings)
    assert table(found) == {
        ("users", p): (company_always("C"), ALWAYS) for p in ("ro", "move_into", "rw")
    }


def test_cg_7_3_company_always_groups_only_through_a_customer_id() -> None:
    settings = GroupSettings(support=True, always_groups=(), company_always_groups=("users",))
    assert compute(settings, ids=[]) == []
    found = compute(settings, ids=["C1", "C2"])
    assert table(found)[("users", "rw")] == (company_always("C1"), company_always("C2"))


def test_cg_7_3_step_18_empty_lists() -> None:
    assert compute(ON) == []


def test_always_groups_match_exact_names_of_valid_groups() -> None:
    settings = GroupSettings(
        support=True, always_groups=("Users", "gone", "missing"), company_always_groups=("GONE",)
    )
    assert compute(settings) == []
    settings = GroupSettings(support=True, always_groups=("users", "gone"))
    assert held(compute(settings, ids=[]), "rw") == ["users"]


def test_always_groups_apply_with_support_off_too() -> None:
    settings = GroupSettings(support=False, always_groups=("users",), company_always_groups=())
    found = table(compute(settings, ids=[]))
    assert found[("users", "rw")] == (OFF, ALWAYS)
    assert found[("admin", "rw")] == (OFF,)


# --- effective_permissions: support off (§8.2) -------------------------------------------------


def test_support_off_every_valid_group_every_type() -> None:
    settings = GroupSettings(support=False, always_groups=(), company_always_groups=())
    found = compute(
        settings,
        users=[user_grant(USERS, "ro")],
        customers=[customer_grant(ADMIN, "rw")],
    )
    assert table(found) == {
        (g, p): (OFF,) for g in ("admin", "stats", "users") for p in ("ro", "rw")
    }
    for group in ("admin", "stats", "users"):
        assert has_permission(found, group, "rw")
    assert not has_permission(found, "gone", "ro")


def test_support_off_without_groups() -> None:
    assert compute(GroupSettings(support=False), groups=[]) == []


def test_defaults_match_otobo() -> None:
    """§2.1: CustomerGroupSupport 0, both always lists ['users'], types ['ro', 'rw']."""
    assert GroupSettings() == GroupSettings(
        support=False,
        always_groups=("users",),
        company_always_groups=("users",),
        permission_types=("ro", "rw"),
    )


# --- has_permission ----------------------------------------------------------------------------


def test_has_permission_exact_group_name_and_type() -> None:
    found = compute(users=[user_grant(USERS, "rw")])
    assert has_permission(found, "users", "ro")
    assert has_permission(found, "users", "rw")
    assert not has_permission(found, "Users", "ro")
    assert not has_permission(found, "admin", "ro")
    assert not has_permission([], "users", "ro")
    # rw satisfies every type string (OTOBO: key = type OR key = 'rw'); ro satisfies only ro.
    assert has_permission(found, "users", "RW")
    read_only = compute(users=[user_grant(USERS, "ro")])
    assert not has_permission(read_only, "users", "RW")
    assert not has_permission(read_only, "users", "rw")


def test_has_permission_rw_satisfies_an_unconfigured_type() -> None:
    found = compute(users=[user_grant(USERS, "rw")])
    assert has_permission(found, "users", "create")
    always = compute(GroupSettings(support=True, always_groups=("users",)), ids=[])
    assert has_permission(always, "users", "owner")


# --- customer_ids (§2.7) -----------------------------------------------------------------------


def test_customer_ids_primary_first_then_assigned_sorted() -> None:
    assert customer_ids("P", ["Z", "A", "M"], exclude_primary=False) == ["P", "A", "M", "Z"]


def test_customer_ids_exclude_primary() -> None:
    assert customer_ids("P", ["B", "A"], exclude_primary=True) == ["A", "B"]
    assert customer_ids("P", [], exclude_primary=True) == []
    # An assigned primary still counts.
    assert customer_ids("P", ["P"], exclude_primary=True) == ["P"]


def test_customer_ids_deduplicate_case_insensitively_keeping_the_first() -> None:
    assert customer_ids("Acme", ["ACME", "acme", "B"], exclude_primary=False) == ["Acme", "B"]
    only = customer_ids(None, ["b", "B"], exclude_primary=False)
    assert [c.lower() for c in only] == ["b"]


def test_customer_ids_without_primary_or_with_empty_values() -> None:
    assert customer_ids(None, [], exclude_primary=False) == []
    assert customer_ids("", ["", "X"], exclude_primary=False) == ["X"]


def test_customer_ids_multi_value_first() -> None:
    assert customer_ids("P", ["Q"], exclude_primary=False, multi=["M1", "M2"]) == [
        "M1",
        "M2",
        "P",
        "Q",
    ]
    assert customer_ids("P", ["m1"], exclude_primary=False, multi=["M1", "p"]) == ["M1", "p"]


def test_otobo_d11_d12() -> None:
    """otobo-customer-user.md D11/D12: UserCustomerIDs 'A; B,C' and UserCustomerID 'P'."""
    multi = split_customer_ids("A; B,C")
    assert customer_ids("P", [], exclude_primary=False, multi=multi) == ["A", "B,C", "P"]
    assert customer_ids("P", [], exclude_primary=True, multi=multi) == ["A", "B,C"]


# --- split_customer_ids ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, []),
        ("", []),
        ("A", ["A"]),
        ("  A  ", ["A"]),
        ("A; B,C", ["A", "B,C"]),  # D11: split on the first separator found, ';' first
        ("A,B|C", ["A", "B|C"]),
        ("A|B|C", ["A", "B", "C"]),
        ("A ;B ; C", ["A", "B", "C"]),
        ("A;;B;", ["A", "B"]),
        ("A, B", ["A", "B"]),
        ("A B", ["A B"]),
        (";", []),
    ],
)
def test_split_customer_ids(raw: str | None, expected: list[str]) -> None:
    assert split_customer_ids(raw) == expected
