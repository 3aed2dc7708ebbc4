"""The pure service rules: names and paths, validity with KeepChildren, own-or-default, sets."""

from __future__ import annotations

import pytest

from domain.changes import UNSET, Unset
from domain.errors import ErrorCode
from domain.records import Audit
from domain.services import (
    MAX_NAME_LENGTH,
    MAX_SET_SIZE,
    ServiceChanges,
    ServiceRecord,
    available_services,
    can_be_assigned,
    clean,
    counts_as_valid,
    full_name,
    full_name_problem,
    inactive_problem,
    is_reserved_login,
    is_within,
    listed,
    parent_name,
    rebase,
    replacement,
    short_name,
    too_many,
    unknown_service,
    validate_service,
)
from domain.validity import Validity

NO_AUDIT = Audit(None, None, None, None)


def svc(
    service_id: int,
    name: str,
    validity: Validity = Validity.VALID,
    *,
    ancestor_invalid: bool = False,
) -> ServiceRecord:
    return ServiceRecord(service_id, name, validity, None, NO_AUDIT, ancestor_invalid)


# ---- cleaning (Service.t, case 66) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (" \t \n \r X \t \n \r ", "X"),
        (" \t \n \r Test Comment \t \n \r ", "Test Comment"),
        ("X \u03d2 ϡ Ʃ Ϟ ", "X \u03d2 ϡ Ʃ Ϟ"),
        ("[test]%*\\", "[test]%*\\"),
        ("  [test]%*\\  ", "[test]%*\\"),
        ("A\nB\tC\r\nD\fE", "ABCDE"),  # every line break and tab goes, not only the outer ones
        ("\u00a0\u3000wide\u2003", "wide"),  # Perl's \s includes Unicode spaces
        ("inner  spaces", "inner  spaces"),
        ("\x1fkept\x00", "\x1fkept\x00"),  # other controls are not whitespace: refused later
        ("", ""),
    ],
)
def test_clean_is_otobo_string_clean(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


# ---- paths ------------------------------------------------------------------------------------


def test_parent_and_short_name_come_from_the_path() -> None:
    assert parent_name("A") is None
    assert parent_name("A::B") == "A"
    assert parent_name("A::B::C") == "A::B"
    assert short_name("A::B::C") == "C"
    assert short_name("A") == "A"
    assert full_name(None, "A") == "A"
    assert full_name("A::B", "C") == "A::B::C"
    record = svc(1, "IT::Network::VPN")
    assert (record.parent_name, record.name_short) == ("IT::Network", "VPN")


def test_is_within_is_a_path_prefix_not_a_string_prefix() -> None:
    assert is_within("A", "A")
    assert is_within("A::B", "A")
    assert is_within("A::B::C", "A")
    assert not is_within("AB", "A")
    assert not is_within("AB::C", "A")
    assert not is_within("A", "A::B")
    assert not is_within("a::b", "A")  # case matters in the stored path


def test_rebase_replaces_the_root_only() -> None:
    assert rebase("A", "A", "X") == "X"
    assert rebase("A::B::A", "A", "X::Y") == "X::Y::B::A"
    with pytest.raises(ValueError, match="not within"):
        rebase("AB::C", "A", "X")


# ---- validity and own-or-default (CustomerUserService.t, 51-55; Service.pm KeepChildren) -------


def test_counts_as_valid_with_and_without_keep_children() -> None:
    child = svc(2, "P::C", ancestor_invalid=True)
    assert not counts_as_valid(child, keep_children=False)
    assert counts_as_valid(child, keep_children=True)
    for validity in (Validity.INVALID, Validity.INVALID_TEMPORARILY):
        assert not counts_as_valid(svc(1, "P", validity), keep_children=True)
    assert counts_as_valid(svc(1, "P"), keep_children=False)


def test_own_valid_services_win_over_defaults() -> None:
    s1, s2 = svc(1, "S1"), svc(2, "S2")
    none = available_services([], [], keep_children=False)
    assert (none.services, none.uses_defaults) == ([], True)
    defaults_only = available_services([], [s1], keep_children=False)
    assert (defaults_only.services, defaults_only.uses_defaults) == ([s1], True)
    own = available_services([s2], [s1], keep_children=False)  # own OR defaults, not both
    assert (own.services, own.uses_defaults) == ([s2], False)
    both = available_services([s2, s1], [s1], keep_children=False)
    assert both.services == [s1, s2]  # ordered by name


def test_only_invalid_own_services_fall_back_to_valid_defaults() -> None:
    dead = svc(3, "Dead", Validity.INVALID)
    orphaned = svc(4, "Gone::Child", ancestor_invalid=True)
    defaults = [svc(1, "D1"), svc(2, "D2", Validity.INVALID_TEMPORARILY)]
    result = available_services([dead, orphaned], defaults, keep_children=False)
    assert ([s.name for s in result.services], result.uses_defaults) == (["D1"], True)
    kept = available_services([dead, orphaned], defaults, keep_children=True)
    assert ([s.name for s in kept.services], kept.uses_defaults) == (["Gone::Child"], False)


def test_reserved_login_in_any_spelling() -> None:
    for login in ("<DEFAULT>", "<default>", " <Default> "):
        assert is_reserved_login(login)
    assert not is_reserved_login("default")


# ---- replacing a set ---------------------------------------------------------------------------


def test_replacement_dedupes_and_keeps_order() -> None:
    change = replacement([3, 1, 2], [5, 1, 5, 4, 1])
    assert (change.added, change.removed) == ([5, 4], [3, 2])
    same = replacement([1, 2], [2, 1, 2])
    assert (same.added, same.removed) == ([], [])
    assert replacement([], []).added == []
    assert replacement([7, 7], []).removed == [7]


# ---- validation -------------------------------------------------------------------------------


def codes(problems: list) -> list[tuple[tuple[str, ...], ErrorCode]]:  # type: ignore[type-arg]
    return [(p.field, p.code) for p in problems]


@pytest.mark.parametrize("name", [UNSET, None, "", "   "])
def test_name_is_required_on_create(name: str | Unset | None) -> None:
    assert codes(validate_service(ServiceChanges(name=name), creating=True)) == [
        (("name",), ErrorCode.REQUIRED)
    ]


def test_patch_checks_only_what_it_changes() -> None:
    assert validate_service(ServiceChanges(), creating=False) == []
    assert codes(validate_service(ServiceChanges(name=None), creating=False)) == [
        (("name",), ErrorCode.REQUIRED)
    ]
    assert codes(validate_service(ServiceChanges(validity=None), creating=False)) == [
        (("validity",), ErrorCode.REQUIRED)
    ]


@pytest.mark.parametrize("name", ["X::Test", "::TestX", "X::Test::Test", "XTest::", "::"])
def test_separator_in_a_name_is_invalid(name: str) -> None:
    assert codes(validate_service(ServiceChanges(name=name), creating=True)) == [
        (("name",), ErrorCode.INVALID_NAME)
    ]


def test_control_characters_and_lengths() -> None:
    assert codes(validate_service(ServiceChanges(name="a\x00b"), creating=True)) == [
        (("name",), ErrorCode.INVALID_CHARACTERS)
    ]
    too_long = ServiceChanges(name="ok", comment="c" * 251)
    assert codes(validate_service(too_long, creating=True)) == [(("comment",), ErrorCode.TOO_LONG)]
    longest = ServiceChanges(name="n" * MAX_NAME_LENGTH, comment="c" * 250)
    assert validate_service(longest, creating=True) == []


def test_cleaning_a_change_touches_only_name_and_comment() -> None:
    change = ServiceChanges(name=" \tVPN\n ", comment="  ", validity=Validity.INVALID).cleaned()
    assert change == ServiceChanges(name="VPN", comment=None, validity=Validity.INVALID)
    assert change.parent_id is UNSET  # still not given: an update keeps the parent
    assert ServiceChanges(name=None).cleaned().name is None


def test_full_name_length() -> None:
    field = ("name",)
    assert full_name_problem("x" * MAX_NAME_LENGTH, field=field, subject="it") is None
    problem = full_name_problem("x" * (MAX_NAME_LENGTH + 1), field=field, subject="it")
    assert problem is not None
    assert problem.code is ErrorCode.TOO_LONG
    assert "192" in problem.message


def test_set_size_limit_and_messages() -> None:
    assert too_many(MAX_SET_SIZE, field=("service_ids",)) is None
    problem = too_many(MAX_SET_SIZE + 1, field=("service_ids",))
    assert problem is not None
    assert problem.code is ErrorCode.TOO_LONG
    assert listed([1, 2]) == "1, 2"
    assert listed(["a"]) == "'a'"
    assert listed(list(range(25)), limit=3) == "0, 1, 2 and 22 more"


# ---- assigning ----------------------------------------------------------------------------------


def test_only_a_service_valid_itself_can_be_newly_assigned() -> None:
    assert can_be_assigned(svc(1, "P::C", ancestor_invalid=True))  # OTOBO's screen offers it
    for validity in (Validity.INVALID, Validity.INVALID_TEMPORARILY):
        assert not can_be_assigned(svc(1, "P", validity))
    problem = inactive_problem([svc(3, "Old", Validity.INVALID)], ("service_ids",))
    assert (problem.field, problem.code) == (("service_ids",), ErrorCode.INACTIVE_SERVICE)
    assert "'3 (Old)'" in problem.message


def test_unknown_service_names_the_domain_field() -> None:
    problem = unknown_service(9, ("parent",), ErrorCode.UNKNOWN_SERVICE)
    assert (problem.field, problem.code, problem.message) == (
        ("parent",),
        ErrorCode.UNKNOWN_SERVICE,
        "No service with id 9.",
    )
    assert unknown_service(9, ("service_id",)).code is ErrorCode.NOT_FOUND
