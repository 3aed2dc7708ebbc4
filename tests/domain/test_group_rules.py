"""Group writes' validation (``domain.group_rules``), pure: problems name domain fields."""

from __future__ import annotations

from domain.changes import UNSET
from domain.config import CustomerGroupConfig
from domain.errors import ErrorCode
from domain.group_rules import GroupChanges, group_settings, validate_group
from domain.validity import Validity


def codes(change: GroupChanges, *, creating: bool) -> list[tuple[tuple[str, ...], ErrorCode]]:
    return [(p.field, p.code) for p in validate_group(change, creating=creating)]


def test_a_create_needs_a_name_and_an_update_only_a_given_one() -> None:
    assert codes(GroupChanges(), creating=True) == [(("name",), ErrorCode.REQUIRED)]
    assert codes(GroupChanges(name="  ").trimmed(), creating=True) == [
        (("name",), ErrorCode.REQUIRED)
    ]
    assert codes(GroupChanges(comment="c"), creating=False) == []
    assert codes(GroupChanges(name=None), creating=False) == [(("name",), ErrorCode.REQUIRED)]


def test_text_is_checked_and_validity_cannot_be_cleared() -> None:
    change = GroupChanges(name="x" * 201, comment="a\x00", validity=None)
    assert codes(change, creating=False) == [
        (("name",), ErrorCode.TOO_LONG),
        (("comment",), ErrorCode.INVALID_CHARACTERS),
        (("validity",), ErrorCode.REQUIRED),
    ]
    assert codes(GroupChanges(name="ok", comment="two\nlines"), creating=True) == []


def test_trimmed_strips_only_the_name() -> None:
    change = GroupChanges(name=" support ", comment=" kept ", validity=Validity.VALID).trimmed()
    assert (change.name, change.comment) == ("support", " kept ")
    assert GroupChanges().trimmed().name is UNSET


def test_group_settings_mirror_the_configuration() -> None:
    settings = group_settings(CustomerGroupConfig(support=True, always_groups=["a"]))
    assert settings.support
    assert settings.always_groups == ("a",)
    assert settings.permission_types == ("ro", "rw")
