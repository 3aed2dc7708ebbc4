"""The hostile values by kind: strings, integers, page sizes, booleans, search terms,
permissions, and the cursors and global IDs this server never issued. Pure data (and two
functions that build it from real cursors and the Node types)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tests.api.hostile.literals import Raw, b64

PASSWORD_MARKER = "Pw~"
"""Every password the generator sends contains this, so an echo in a response is found."""

Labelled = tuple[str, Any]

HOSTILE_STRINGS: list[Labelled] = [
    ("empty", ""),
    ("blank", "   "),
    ("nul", "a\x00b"),
    ("only-nul", "\x00"),
    ("lone-surrogate", "x\ud800y"),
    ("lone-low-surrogate", "\udfff"),
    ("rtl-override", "\u202eevil\u202c"),
    ("bom-zero-width", "\ufeff\u200b\u200d"),
    ("10k-chars", "a" * 10_000),
    ("3k-emoji", "\U0001f600" * 3000),
    ("newline-tab", "a\n\tb\r\n"),
    ("sql-quote", "x' OR '1'='1"),
    ("like-wildcards", "%_\\"),
    ("dotted-capital-i", "\u0130\u0131"),
    ("ligature-sharp-s", "\ufb03\u00df"),
    ("fullwidth-digits", "\uff11\uff12\uff13"),
    ("superscript-two", "\u00b2"),
    ("escape-sequence", "\x7f\x1b[31m"),
    ("combining", "e\u0301\u0301\u0301"),
    ("json-text", '{"k": [1]}'),
]

HOSTILE_INTS: list[Labelled] = [
    ("zero", 0),
    ("minus-one", -1),
    ("int32-max", 2**31 - 1),
    ("int32-overflow", 2**31),
    ("int32-underflow", -(2**31) - 1),
    ("int64-overflow", 2**63),
    ("5000-digits", Raw("9" * 5000)),
    ("float", 1.5),
    ("integral-float", 2.0),
    ("float-overflow", Raw("1e400")),
    ("negative-zero", Raw("-0")),
    ("numeric-string", "1"),
    ("nan-string", "NaN"),
    ("bool", True),
]

HOSTILE_FIRST: list[Labelled] = [
    ("first-0", 0),
    ("first-minus-1", -1),
    ("first-1000", 1000),
    ("first-1001", 1001),
    ("first-int32-max", 2**31 - 1),
    ("first-10e12", 10**12),
]

HOSTILE_BOOLS: list[Labelled] = [
    ("string-true", "true"),
    ("one", 1),
    ("zero", 0),
]

HOSTILE_SEARCH: list[Labelled] = [
    ("star", "*"),
    ("stars", "**"),
    ("bang", "!"),
    ("bang-star", "!*"),
    ("plus", "+"),
    ("and-word", "AND"),
    ("or-word", "OR"),
    ("dangling-or", "a OR"),
    ("plus-wrapped", "+a+"),
    ("quote", '"'),
    ("open-phrase", '"a b'),
    ("double-bang", "!!a"),
    ("and-not", "a+!b"),
    ("5000-stars", "*" * 5000),
    ("3000-and-terms", "+".join(["a"] * 3000)),
    ("3000-or-terms", " OR ".join(["b"] * 3000)),
    ("3000-negations", "+".join(["!c"] * 3000)),
    ("parens", "( ) & |"),
    ("backslash-star", "\\*"),
]

HOSTILE_PERMISSIONS: list[Labelled] = [
    ("perm-uppercase", "RO"),
    ("perm-padded", " rw "),
    ("perm-unknown", "owner"),
    ("perm-300", "r" * 300),
]


def odd_cursors(valid: Sequence[str]) -> list[Labelled]:
    """Cursors this server never issued: valid-looking base64 of garbage, wrong JSON shapes,
    positions past 64 bits, lone surrogates, very long ones, and mangled real ones."""

    def j(data: Any) -> str:
        return b64(json.dumps(data).encode())

    cursors: list[Labelled] = [
        ("cursor-empty", ""),
        ("cursor-not-base64", "!!not base64!!"),
        ("cursor-base64-garbage", b64(b"\xff\xfe\x00garbage")),
        ("cursor-base64-text", b64(b"hello world")),
        ("cursor-json-array", j([1, 2, 3])),
        ("cursor-json-null", j(None)),
        ("cursor-no-key", j({"p": 1})),
        ("cursor-int-key", j({"k": [1], "p": 1, "o": ""})),
        ("cursor-object-key", j({"k": [{"a": 1}], "p": 1, "o": ""})),
        ("cursor-position-int64", j({"k": ["a"], "p": 2**63, "o": ""})),
        ("cursor-position-huge", j({"k": ["a"], "p": 10**30, "o": ""})),
        ("cursor-position-negative", j({"k": ["a"], "p": -5, "o": ""})),
        ("cursor-position-float", j({"k": ["a"], "p": 1.5, "o": ""})),
        ("cursor-position-bool", j({"k": ["a"], "p": True, "o": ""})),
        ("cursor-surrogate-key", j({"k": ["\ud800"], "p": 1, "o": ""})),
        ("cursor-surrogate-key-2", j({"k": ["a", "\udc00"], "p": 1, "o": ""})),
        ("cursor-nul-key", j({"k": ["a\x00"], "p": 1, "o": ""})),
        ("cursor-10k-key", j({"k": ["z" * 10_000], "p": 1, "o": ""})),
        ("cursor-5000-keys", j({"k": ["a"] * 5000, "p": 1, "o": ""})),
        ("cursor-other-ordering", j({"k": ["a"], "p": 1, "o": "lastName:desc"})),
        ("cursor-two-keys", j({"k": ["a", "b"], "p": 1, "o": ""})),
        ("cursor-lone-surrogate-raw", "\ud800"),
        ("cursor-100k", "A" * 100_000),
        ("cursor-padded", b64(json.dumps({"k": ["a"], "p": 1, "o": ""}).encode(), padded=True)),
    ]
    for index, cursor in enumerate(valid[:2]):
        cursors += [
            (f"cursor-real-{index}-truncated", cursor[: len(cursor) // 2]),
            (f"cursor-real-{index}-plus-char", cursor + "A"),
            (f"cursor-real-{index}-standard-b64", cursor.replace("-", "+").replace("_", "/")),
        ]
    return cursors


def odd_global_ids(node_types: Sequence[str]) -> list[Labelled]:
    """IDs that decode to unusual keys of every Node type, unknown types, and non-base64."""
    keys: list[Labelled] = [
        ("superscript-two", "\u00b2"),
        ("int32-overflow", "2147483648"),
        ("int64-overflow", "9223372036854775808"),
        ("5000-nines", "9" * 5000),
        ("minus-one", "-1"),
        ("zero", "0"),
        ("float", "1.5"),
        ("spaced", " 1 "),
        ("exponent", "1e3"),
        ("hex", "0x10"),
        ("fullwidth-one", "\uff11"),
        ("nul", "a\x00"),
        ("rtl", "\u202e1"),
        ("10k", "k" * 10_000),
        ("empty", ""),
    ]
    ids: list[Labelled] = []
    for type_name in node_types:
        for label, key in keys:
            ids.append((f"id-{type_name}-{label}", b64(f"{type_name}:{key}".encode())))
        ids.append(
            (f"id-{type_name}-invalid-utf8", b64(f"{type_name}:".encode() + b"\xed\xa0\x80"))
        )
        ids.append((f"id-{type_name}-lowercase-type", b64(f"{type_name.lower()}:1".encode())))
        ids.append((f"id-{type_name}-padded", b64(f"{type_name}:1".encode(), padded=True)))
    ids += [
        ("id-unknown-type", b64(b"Nope:1")),
        ("id-no-type", b64(b":1")),
        ("id-no-colon", b64(b"Group")),
        ("id-not-base64", "!!!"),
        ("id-empty", ""),
        ("id-equals", "===="),
        ("id-one-char", "a"),
        ("id-whitespace", "R3Jv dXA6MQ"),
        ("id-lone-surrogate", "\ud800"),
        ("id-100k", "QUFB" * 25_000),
    ]
    return ids
