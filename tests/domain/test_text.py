"""The text checks every write runs first: blank means missing, control characters and
over-long values are typed problems, lengths count characters (not bytes).

Tab, LF and CR are allowed only in multi-line fields (a comment, a street); NUL and the other
C0 controls and DEL never. ``"0"`` is a value, unlike in OTOBO's Perl.
"""

from __future__ import annotations

import pytest

from domain.errors import ErrorCode
from domain.text import check_text, is_blank, refused_characters

FIELD = ("input", "name")


@pytest.mark.parametrize("value", [None, "", " ", "\t\n "])
def test_blank_values(value: object) -> None:
    assert is_blank(value)


@pytest.mark.parametrize("value", ["0", "x", " x ", 0, False, []])
def test_values_that_are_not_blank(value: object) -> None:
    assert not is_blank(value)


def test_clean_text_has_no_problems() -> None:
    assert check_text("Ada Lovelace", field=FIELD, max_length=20) == []


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_control_characters_are_refused_everywhere(bad: str) -> None:
    for multiline in (False, True):
        problems = check_text(f"a{bad}b", field=FIELD, max_length=None, multiline=multiline)
        assert [(p.field, p.code) for p in problems] == [(FIELD, ErrorCode.INVALID_CHARACTERS)]


@pytest.mark.parametrize("whitespace", ["\t", "\n", "\r"])
def test_tab_and_newlines_only_in_multiline_fields(whitespace: str) -> None:
    value = f"line one{whitespace}line two"
    assert check_text(value, field=FIELD, max_length=None, multiline=True) == []
    single = check_text(value, field=FIELD, max_length=None)
    assert [p.code for p in single] == [ErrorCode.INVALID_CHARACTERS]


def test_length_counts_characters_not_bytes() -> None:
    assert check_text("ä" * 5, field=FIELD, max_length=5) == []
    problems = check_text("ä" * 6, field=FIELD, max_length=5)
    assert [(p.code, p.message) for p in problems] == [
        (ErrorCode.TOO_LONG, "Is 6 characters long; at most 5 fit.")
    ]


def test_no_limit_means_any_length() -> None:
    assert check_text("x" * 100_000, field=FIELD, max_length=None) == []


def test_both_problems_are_reported_together() -> None:
    problems = check_text("\x00" * 3, field=FIELD, max_length=2)
    assert [p.code for p in problems] == [ErrorCode.INVALID_CHARACTERS, ErrorCode.TOO_LONG]


FIX = "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"


@pytest.mark.parametrize("four_byte", ["😀", "𠮷", "\U00010000", "\U0010ffff"])
def test_a_4_byte_character_for_a_3_byte_column_names_the_fix(four_byte: str) -> None:
    problems = check_text(f"a{four_byte}", field=FIELD, max_length=20, three_byte_fix=FIX)
    assert [(p.field, p.code) for p in problems] == [(FIELD, ErrorCode.INVALID_CHARACTERS)]
    assert "3-byte UTF-8" in problems[0].message
    assert FIX in problems[0].message
    for multiline in (False, True):
        assert refused_characters(multiline=multiline, three_byte=True).search(four_byte)
    # A column that stores 4-byte UTF-8 (no fix given) takes it.
    assert check_text(f"a{four_byte}", field=FIELD, max_length=20) == []
    for multiline in (False, True):
        assert not refused_characters(multiline=multiline, three_byte=False).search(four_byte)


def test_a_3_byte_column_takes_every_bmp_character() -> None:
    value = "Grüße 山田 € \uffff \ud7ff"
    assert check_text(value, field=FIELD, max_length=None, three_byte_fix=FIX) == []
    assert not refused_characters(multiline=False, three_byte=True).search(value)


def test_a_3_byte_column_refuses_what_any_column_refuses() -> None:
    for three_byte in (False, True):
        single = refused_characters(multiline=False, three_byte=three_byte)
        multi = refused_characters(multiline=True, three_byte=three_byte)
        assert single.search("a\x00b")
        assert multi.search("a\x00b")
        assert multi.search("\x7f")
        assert single.search("a\nb")
        assert not multi.search("a\nb\tc\r")
