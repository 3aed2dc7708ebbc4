"""Hostile GraphQL requests generated from the introspected schema (issue 11).

Why generated, not written by hand: a hand-written list covers the arguments someone thought
of; walking the schema that the server itself reports covers every root field, every argument
below the root, every mutation input field, and whatever an issue adds later. Why
deterministic: a failure must be reproducible, so everything comes from ``random.Random(seed)``,
the introspected schema and the values of the seeded data (which the test creates with fixed
names on a fresh database).

What a request looks like: one wrong thing at one position (an argument, an input field, a
cursor, an ID), everything else valid, so a failure names its cause; plus whole-document
oddities (fragments, aliases, nesting, variables misuse, several operations) and a handful of
transport oddities (malformed JSON, content types, headers).

:class:`Generator` yields :class:`HostileRequest` objects; ``tests/api/test_hostile_inputs.py``
sends them and judges the answers.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import get_introspection_query

INTROSPECTION = get_introspection_query(descriptions=False)
PASSWORD_MARKER = "Pw~"
"""Every password the generator sends contains this, so an echo in a response is found."""


# --- the introspected schema ----------------------------------------------------------------


@dataclass(frozen=True)
class TypeRef:
    kind: str
    name: str | None
    of_type: TypeRef | None

    @classmethod
    def parse(cls, data: dict[str, Any]) -> TypeRef:
        inner = data.get("ofType")
        return cls(data["kind"], data.get("name"), cls.parse(inner) if inner else None)

    @property
    def named(self) -> str:
        ref: TypeRef = self
        while ref.of_type is not None:
            ref = ref.of_type
        assert ref.name is not None
        return ref.name

    @property
    def non_null(self) -> bool:
        return self.kind == "NON_NULL"

    @property
    def nullable(self) -> TypeRef:
        return self.of_type if self.non_null and self.of_type is not None else self

    @property
    def is_list(self) -> bool:
        return self.nullable.kind == "LIST"

    @property
    def element(self) -> TypeRef:
        """The element type of a list type."""
        assert self.nullable.of_type is not None
        return self.nullable.of_type

    def sdl(self) -> str:
        if self.kind == "NON_NULL":
            assert self.of_type is not None
            return f"{self.of_type.sdl()}!"
        if self.kind == "LIST":
            assert self.of_type is not None
            return f"[{self.of_type.sdl()}]"
        assert self.name is not None
        return self.name


@dataclass(frozen=True)
class InputValue:
    name: str
    type: TypeRef
    has_default: bool

    @property
    def required(self) -> bool:
        return self.type.non_null and not self.has_default


@dataclass(frozen=True)
class FieldDef:
    name: str
    args: tuple[InputValue, ...]
    type: TypeRef


@dataclass(frozen=True)
class TypeDef:
    kind: str
    name: str
    fields: tuple[FieldDef, ...]
    input_fields: tuple[InputValue, ...]
    enum_values: tuple[str, ...]
    possible_types: tuple[str, ...]


def _input_values(items: Sequence[dict[str, Any]] | None) -> tuple[InputValue, ...]:
    return tuple(
        InputValue(i["name"], TypeRef.parse(i["type"]), i.get("defaultValue") is not None)
        for i in items or ()
    )


@dataclass(frozen=True)
class SchemaInfo:
    types: dict[str, TypeDef]
    query: str
    mutation: str | None

    @classmethod
    def from_introspection(cls, data: dict[str, Any]) -> SchemaInfo:
        schema = data["__schema"]
        types: dict[str, TypeDef] = {}
        for t in schema["types"]:
            types[t["name"]] = TypeDef(
                kind=t["kind"],
                name=t["name"],
                fields=tuple(
                    FieldDef(f["name"], _input_values(f["args"]), TypeRef.parse(f["type"]))
                    for f in t.get("fields") or ()
                ),
                input_fields=_input_values(t.get("inputFields")),
                enum_values=tuple(v["name"] for v in t.get("enumValues") or ()),
                possible_types=tuple(p["name"] for p in t.get("possibleTypes") or ()),
            )
        mutation = schema.get("mutationType")
        return cls(types, schema["queryType"]["name"], mutation["name"] if mutation else None)

    def kind(self, name: str) -> str:
        return self.types[name].kind

    def is_leaf(self, name: str) -> bool:
        return self.kind(name) in ("SCALAR", "ENUM")

    def node_types(self) -> list[str]:
        node = self.types.get("Node")
        return sorted(node.possible_types) if node else []

    def is_connection(self, name: str) -> bool:
        t = self.types.get(name)
        return t is not None and any(f.name == "pageInfo" for f in t.fields)


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enum:
    """An enum value: a bare name inline, a string in JSON variables."""

    name: str


@dataclass(frozen=True)
class Raw:
    """A number written as is (too long for ``int()`` and ``json.dumps``)."""

    text: str


class Unrenderable(Exception):
    """The value has no GraphQL literal (e.g. an object key that is not a GraphQL name)."""


_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


def literal(value: Any) -> str:
    """``value`` as a GraphQL literal; strings use JSON escapes, which GraphQL shares
    (a lone surrogate becomes ``\\ud800``, which the lexer must refuse cleanly)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        for key in value:
            if not _NAME.match(key):
                raise Unrenderable(key)
        return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def _jsonable(value: Any, raws: list[str]) -> Any:
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, Raw):
        raws.append(value.text)
        return f"@@RAW{len(raws) - 1}@@"
    if isinstance(value, list):
        return [_jsonable(v, raws) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v, raws) for k, v in value.items()}
    return value


def encode_json(payload: Any, *, ascii_only: bool = False) -> bytes:
    """``payload`` as JSON bytes. A lone surrogate is sent as the escape ``"\\ud800"`` (valid
    JSON syntax, no valid UTF-8 for it exists), so such payloads are always ASCII-escaped."""
    raws: list[str] = []
    prepared = _jsonable(payload, raws)
    try:
        text = json.dumps(prepared, ensure_ascii=ascii_only)
        data = text.encode()
    except UnicodeEncodeError:
        text = json.dumps(prepared, ensure_ascii=True)
        data = text.encode()
    for index, raw in enumerate(raws):
        data = data.replace(f'"@@RAW{index}@@"'.encode(), raw.encode())
    return data


def b64(raw: bytes, *, urlsafe: bool = True, padded: bool = False) -> str:
    text = (base64.urlsafe_b64encode if urlsafe else base64.standard_b64encode)(raw).decode()
    return text if padded else text.rstrip("=")


# --- hostile value catalogues ---------------------------------------------------------------

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


# --- seeds: valid values from real data -----------------------------------------------------


@dataclass
class Seeds:
    """Valid values of the data the test created: what hostile requests start from."""

    logins: list[str]
    emails: list[str]
    customer_ids: list[str]
    group_ids: list[int]
    group_names: list[str]
    service_ids: list[int]
    service_names: list[str]
    node_ids: list[str]
    cursors: dict[str, list[str]] = field(default_factory=dict)
    """Real cursors by paginated field (``Query.groups``, ``Group.customerUsers`` …)."""


# --- requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostileRequest:
    category: str
    label: str
    key: str | None  # "admin", "read", or None (no Authorization header)
    body: bytes
    content_type: str | None = "application/json"
    method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()
    secrets: tuple[str, ...] = ()
    """Values (passwords) that must never come back in a response."""
    expect_json: bool = True
    expect_error: bool = False
    """GraphQL itself requires an error here (e.g. several operations and no operationName)."""

    def describe(self, limit: int = 700) -> str:
        extra = f" headers={list(self.headers)}" if self.headers else ""
        ctype = f" content-type={self.content_type!r}" if self.content_type else " no-content-type"
        return (
            f"[{self.category}/{self.label}] {self.method} key={self.key}{ctype}{extra} "
            f"body={compact(self.body.decode('utf-8', 'backslashreplace'), limit)}"
        )


_RUN = re.compile(r"(.{1,4}?)\1{15,}", re.DOTALL)


def compact(text: str, limit: int = 700) -> str:
    """Long repetitions as ``(xyz)xN`` and the whole cut at ``limit`` characters."""

    def fold(match: re.Match[str]) -> str:
        unit = match.group(1)
        return f"({unit})x{len(match.group(0)) // len(unit)}"

    folded = _RUN.sub(fold, text)
    return folded if len(folded) <= limit else folded[:limit] + f"…(+{len(folded) - limit})"


# --- the generator --------------------------------------------------------------------------

MISSING: Any = object()
RENAMES = frozenset({"newLogin", "newCustomerId"})
"""Update fields the valid base never fills, so the seeded records keep their keys."""


class Doc:
    """The fragment definitions of one document being built."""

    def __init__(self) -> None:
        self.fragments: list[str] = []

    def wrap(self, operation: str) -> str:
        return " ".join([operation, *self.fragments])


@dataclass
class Position:
    """Where a hostile value goes: a root or nested field's argument, or an input field."""

    field: FieldDef
    owner: str  # the type that has the field
    arg: InputValue
    path: tuple[str | int, ...] = ()  # inside the argument's value (input objects)
    ref: TypeRef | None = None  # the type at ``path`` (the argument's own when empty)
    name: str = ""  # the input field's name at the end of ``path``

    @property
    def type(self) -> TypeRef:
        return self.ref or self.arg.type

    @property
    def value_name(self) -> str:
        return self.name or self.arg.name


class Generator:
    """Every hostile request for one schema and one set of seeds, from one seed."""

    def __init__(self, schema: SchemaInfo, seeds: Seeds, seed: int) -> None:
        self.schema = schema
        self.seeds = seeds
        self.rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
        self.counts: Counter[str] = Counter()
        self.requests: list[HostileRequest] = []
        self._serial = 0
        self._reach = self._reach_paths()
        self._odd_ids = odd_global_ids(schema.node_types())

    # .. public ..............................................................................

    def generate(self) -> list[HostileRequest]:
        self._root_and_nested_arguments()
        self._mutations()
        self._selections()
        self._variable_misuse()
        self._operations()
        self._limits()
        self._transport()
        return self.requests

    def connection_probes(self) -> list[tuple[str, str]]:
        """(connection name, query) for every paginated field reachable from the root: the
        query asks for a page of one, so its endCursor is a real cursor of that field."""
        probes: list[tuple[str, str]] = []
        for owner, openers in sorted(self._reach.items()):
            for f in self.schema.types[owner].fields:
                if not any(a.name == "after" for a in f.args):
                    continue
                args = self.valid_args(f, owner)
                if "__missing__" in args:
                    continue
                args["first"] = 1
                call = f"{f.name}{_args_text(args)} {{ pageInfo {{ endCursor }} }}"
                probes.append((f"{owner}.{f.name}", f"query {{ {self._wrap(openers, call)} }}"))
        return probes

    def summary(self) -> str:
        parts = ", ".join(f"{name}={count}" for name, count in sorted(self.counts.items()))
        return f"{len(self.requests)} requests ({parts})"

    # .. plumbing ............................................................................

    def _fresh(self, prefix: str = "hx") -> str:
        self._serial += 1
        return f"{prefix}{self._serial}"

    def _add(
        self,
        category: str,
        label: str,
        payload: Any,
        *,
        key: str | None = "read",
        secrets: Sequence[str] = (),
        ascii_only: bool | None = None,
        expect_error: bool = False,
    ) -> None:
        ascii_only = self.rng.random() < 0.3 if ascii_only is None else ascii_only
        self.counts[category] += 1
        self.requests.append(
            HostileRequest(
                category,
                label,
                key,
                encode_json(payload, ascii_only=ascii_only),
                secrets=tuple(secrets),
                expect_error=expect_error,
            )
        )

    def _add_raw(self, category: str, label: str, body: bytes, **kwargs: Any) -> None:
        self.counts[category] += 1
        self.requests.append(
            HostileRequest(category, label, kwargs.pop("key", "read"), body, **kwargs)
        )

    def _op(self, field: FieldDef) -> str:
        return "query" if field in self.schema.types[self.schema.query].fields else "mutation"

    # .. valid values ........................................................................

    def valid_value(self, name: str, ref: TypeRef, owner: str) -> Any:
        """A value that is right for ``name`` of type ``ref`` in ``owner`` (a field or input
        type name), from the seeds; MISSING when there is none to give."""
        if ref.is_list:
            element = self.valid_value(name, ref.element, owner)
            return MISSING if element is MISSING else [element]
        named = ref.named
        kind = self.schema.kind(named)
        seeds = self.seeds
        creating = owner.endswith("CreateInput")
        if kind == "INPUT_OBJECT":
            return self.valid_input(named)
        if kind == "ENUM":
            return Enum(self.schema.types[named].enum_values[0])
        if named == "ID":
            return self.rng.choice(seeds.node_ids)
        if named == "Boolean":
            return self.rng.random() < 0.7 if name == "dryRun" else True
        if named == "Int":
            if name == "first":
                return 2
            if name == "groupId":
                return seeds.group_ids[0]
            if name in ("serviceId", "parentId", "serviceIds"):
                return seeds.service_ids[0]
            return 1
        if named != "String":
            return MISSING
        if name in ("login", "logins"):
            return self._fresh() if creating else self.rng.choice(seeds.logins)
        if name in RENAMES:
            return self._fresh()
        if name in ("customerId", "customerIds", "customerIdExact"):
            if owner == "CustomerCreateInput":
                return self._fresh("HX-C")
            return self.rng.choice(seeds.customer_ids)
        if name == "email":
            return f"{self._fresh()}@hostile.test" if creating else seeds.emails[0]
        if name == "password":
            return f"{PASSWORD_MARKER}Correct-Horse-{self._fresh()}"
        if name in ("permission", "permissions"):
            return "ro"
        if name == "group" or (name == "name" and "Group" in owner) or owner == "group":
            return self._fresh("hx-group-") if creating else seeds.group_names[0]
        if name == "name" and ("Service" in owner or owner == "service"):
            return self._fresh("HxService") if creating else seeds.service_names[0]
        if name == "name":
            return self._fresh("HX Name ")
        if name == "search":
            return "hx*"
        if name in ("after", "source"):
            return MISSING
        return "hostile text"

    def valid_input(self, type_name: str) -> dict[str, Any]:
        """An input object: its required fields, every field of a create input, and now
        and then an optional one (never a rename, so the seeds stay valid)."""
        fields = self.schema.types[type_name].input_fields
        creating = type_name.endswith("CreateInput")
        value: dict[str, Any] = {}
        for f in fields:
            optional_pick = (
                not creating
                and f.name not in RENAMES
                and f.name not in ("name", "validity")
                and self.rng.random() < 0.25
            )
            if f.required or (creating and f.name != "validity") or optional_pick:
                v = self.valid_value(f.name, f.type, type_name)
                if v is not MISSING:
                    value[f.name] = v
        return value

    def valid_args(self, f: FieldDef, owner: str, *, optional: float = 0.0) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for a in f.args:
            if a.required or self.rng.random() < optional:
                v = self.valid_value(a.name, a.type, f.name)
                if v is not MISSING:
                    args[a.name] = v
                elif a.required:
                    return {"__missing__": a.name}
        return args

    # .. hostile values ......................................................................

    def hostile_values(self, pos: Position) -> list[Labelled]:
        """Wrong and odd values for ``pos``: by its type, then by its name."""
        ref, name = pos.type, pos.value_name
        named = ref.named
        kind = self.schema.kind(named)
        valid = self.valid_value(name, ref, pos.owner)
        if valid is MISSING:
            valid = "x"
        values: list[Labelled] = []
        if ref.non_null:
            values.append(("null-for-non-null", None))
        elif not ref.is_list and kind != "INPUT_OBJECT":
            values.append(("explicit-null", None))
        if ref.is_list:
            element = ref.element
            sample = self.valid_value(name, element, pos.owner)
            sample = "x" if sample is MISSING else sample
            values += [
                ("empty-list", []),
                ("list-of-null", [None]),
                ("single-not-list", sample),
                ("nested-list", [[sample]]),
            ]
            if self.schema.is_leaf(element.named):  # the documented limit is 10000 entries
                values.append(("10001-entries", [self._entry(element, i) for i in range(10_001)]))
                values.append(("2000-duplicates", [sample] * 2000))
            else:
                values.append(("1001-objects", [self._entry(element, i) for i in range(1001)]))
                values.append(("500-duplicates", [sample] * 500))
            if element.named == "ID":  # a list of IDs (``nodes``): every odd one at once
                values.append(("all-odd-ids", [v for _, v in self._odd_ids]))
            if self.schema.is_leaf(element.named):
                element_pos = Position(pos.field, pos.owner, pos.arg, pos.path, element, name)
                picked = self._sample(self.hostile_values(element_pos), 4)
                values += [(f"element-{label}", [v]) for label, v in picked]
            return values
        if kind == "INPUT_OBJECT":
            base = self.valid_input(named)
            values += [
                ("string-for-object", "x"),
                ("list-for-object", [base]),
                ("empty-object", {}),
                ("unknown-field", {**base, "zzz": 1}),
                ("odd-keys", {**base, "": 1, "\u00e9": 2}),
            ]
            return values
        wrong_types: list[Labelled] = [
            ("object-for-scalar", {"a": 1}),
            ("list-for-single", [valid]),
        ]
        if kind == "ENUM":
            first = self.schema.types[named].enum_values[0]
            values += [
                ("unknown-enum", Enum("NOPE")),
                ("lowercase-enum", Enum(first.lower())),
                ("quoted-enum", first) if self.rng.random() < 0.5 else ("int-enum", 1),
                *wrong_types,
            ]
            return values
        if named == "Boolean":
            return values + HOSTILE_BOOLS + wrong_types
        if named == "Int":
            specials = HOSTILE_FIRST if name == "first" else []
            return values + specials + HOSTILE_INTS + [("string", "x"), *wrong_types]
        if named == "ID":
            return values + self._odd_ids + [("int-id", 1), ("float-id", 1.5), *wrong_types]
        # String (and any custom scalar)
        if name == "after":
            target = self._connection_of(pos)
            cursors = odd_cursors(self.seeds.cursors.get(target, []))
            foreign = [
                (f"cursor-of-{other}", found[0])
                for other, found in sorted(self.seeds.cursors.items())
                if other != target and found
            ]
            return values + cursors + foreign[:2] + [("int-cursor", 1), *wrong_types]
        strings = list(HOSTILE_STRINGS)
        if name == "search":
            strings += HOSTILE_SEARCH
        if name in ("permission", "permissions"):
            strings += HOSTILE_PERMISSIONS
        if name == "password":
            strings = [(label, PASSWORD_MARKER + s) for label, s in strings]
        return values + strings + [("int-for-string", 1), ("float-for-string", 1.5), *wrong_types]

    def _entry(self, ref: TypeRef, index: int) -> Any:
        named = ref.named
        if named == "Int":
            return index + 1
        if self.schema.kind(named) == "INPUT_OBJECT":
            return self.valid_input(named)
        return f"hx-entry-{index}"

    def _connection_of(self, pos: Position) -> str:
        return f"{pos.owner}.{pos.field.name}"

    def _sample(self, values: list[Labelled], k: int) -> list[Labelled]:
        if len(values) <= k:
            return values
        return self.rng.sample(values, k)

    # .. selections ..........................................................................

    def select(self, type_name: str, budget: int, doc: Doc, *, rich: bool = True) -> str:
        """A selection set body for ``type_name`` (empty for a leaf type): a few leaf fields,
        ``__typename``, up to two object fields below while ``budget`` lasts, and, when
        ``rich``, aliases, directives, inline and named fragments."""
        t = self.schema.types[type_name]
        if t.kind in ("SCALAR", "ENUM"):
            return ""
        rng = self.rng
        if t.kind in ("INTERFACE", "UNION"):
            parts = ["__typename"]
            if any(f.name == "id" for f in t.fields):
                parts.append("id")
            for possible in rng.sample(list(t.possible_types), min(2, len(t.possible_types))):
                parts.append(f"... on {possible} {{ {self.select(possible, budget - 1, doc)} }}")
            return " ".join(parts)
        leaves = [f for f in t.fields if self.schema.is_leaf(f.type.named)]
        objects = [f for f in t.fields if not self.schema.is_leaf(f.type.named)]
        chosen = rng.sample(leaves, min(len(leaves), rng.randint(1, 4)))
        if budget > 1 and objects:
            chosen += rng.sample(objects, min(len(objects), rng.randint(0, 2)))
        parts = []
        for f in chosen:
            args = self.valid_args(f, type_name, optional=0.3)
            if "__missing__" in args:
                continue
            parts.append(self._field_text(f, args, budget, doc, rich=rich))
        if rng.random() < 0.5 or not parts:
            parts.append("__typename")
        body = " ".join(parts)
        if not rich:
            return body
        roll = rng.random()
        if roll < 0.15:
            return f"... on {type_name} {{ {body} }}"
        if roll < 0.3:
            name = f"F{len(doc.fragments)}"
            doc.fragments.append(f"fragment {name} on {type_name} {{ {body} }}")
            return f"...{name}" + (" __typename" if rng.random() < 0.5 else "")
        if roll < 0.35:
            return f"... @include(if: true) {{ {body} }}"
        return body

    def _field_text(
        self, f: FieldDef, args: dict[str, Any], budget: int, doc: Doc, *, rich: bool
    ) -> str:
        rng = self.rng
        alias = f"a{rng.randint(0, 99)}_{f.name}: " if rich and rng.random() < 0.2 else ""
        arg_text = ""
        if args:
            arg_text = "(" + ", ".join(f"{k}: {literal(v)}" for k, v in args.items()) + ")"
        directive = ""
        if rich and rng.random() < 0.08:
            directive = rng.choice([" @include(if: true)", " @skip(if: false)", " @skip(if: true)"])
        inner = self.select(f.type.named, budget - 1, doc, rich=rich)
        sub = f" {{ {inner} }}" if inner else ""
        return f"{alias}{f.name}{arg_text}{directive}{sub}"

    # .. reaching a type from the root ......................................................

    def _reach_paths(self) -> dict[str, list[str]]:
        """For each object type, the shortest chain of field openers from the query root
        whose required arguments have valid values (``group(name: "…") {``, ``nodes {`` …)."""
        schema = self.schema
        reach: dict[str, list[str]] = {schema.query: []}
        queue = [schema.query]
        while queue:
            current = queue.pop(0)
            t = schema.types[current]
            for f in t.fields:
                if f.name == "node":
                    continue
                target = f.type.named
                if schema.is_leaf(target) or target in reach:
                    continue
                args = self.valid_args(f, current)
                if "__missing__" in args:
                    continue
                if schema.is_connection(target) and any(a.name == "first" for a in f.args):
                    args.setdefault("first", 2)
                arg_text = "(" + ", ".join(f"{k}: {literal(v)}" for k, v in args.items()) + ")"
                openers = [*reach[current], f"{f.name}{arg_text if args else ''} {{"]
                kind = schema.kind(target)
                if kind in ("INTERFACE", "UNION"):
                    for possible in schema.types[target].possible_types:
                        if possible not in reach:
                            reach[possible] = [*openers, f"... on {possible} {{"]
                            queue.append(possible)
                    continue
                reach[target] = openers
                queue.append(target)
        return reach

    def _wrap(self, openers: list[str], inner: str) -> str:
        return " ".join([*openers, inner, *("}" * len(openers))])

    # .. 1. arguments of query fields, at the root and below ................................

    def _root_and_nested_arguments(self) -> None:
        schema = self.schema
        for owner, openers in sorted(self._reach.items()):
            if owner == schema.mutation:
                continue
            for f in schema.types[owner].fields:
                for a in f.args:
                    pos = Position(f, owner, a)
                    category = "root-argument" if owner == schema.query else "nested-argument"
                    for label, value in self.hostile_values(pos):
                        self._argument_request(category, pos, openers, label, value)

    def _argument_request(
        self, category: str, pos: Position, openers: list[str], label: str, value: Any
    ) -> None:
        f, owner = pos.field, pos.owner
        args = self.valid_args(f, owner, optional=0.3)
        args.pop("__missing__", None)
        args.pop(pos.arg.name, None)
        doc = Doc()
        selection = self.select(f.type.named, 3, doc)
        sub = f" {{ {selection} }}" if selection else ""
        form = self.rng.choice(["inline", "variables"])
        key = "admin" if self.rng.random() < 0.1 else "read"
        label = f"{owner}.{f.name}({pos.arg.name}) {label}"
        variables: dict[str, Any] = {}
        declared = []
        if form == "inline":
            try:
                args[pos.arg.name] = Inline(value)
            except Unrenderable:
                form = "variables"
        if form == "variables":
            args[pos.arg.name] = Var("v")
            declared.append(f"$v: {pos.arg.type.sdl()}")
            variables["v"] = value
        try:
            arg_text = "(" + ", ".join(f"{k}: {_lit(v)}" for k, v in args.items()) + ")"
        except Unrenderable:
            return
        inner = self._wrap(openers, f"{f.name}{arg_text}{sub}")
        head = f"query Q({', '.join(declared)})" if declared else "query"
        query = doc.wrap(f"{head} {{ {inner} }}")
        self._add(category, f"{label} [{form}]", {"query": query, "variables": variables}, key=key)

    # .. 2. mutations ........................................................................

    def _mutations(self) -> None:
        schema = self.schema
        if schema.mutation is None:
            return
        for f in schema.types[schema.mutation].fields:
            for key in ("admin", "read"):
                self._mutation_request(
                    "mutation-valid", f, None, "valid", MISSING, key, "variables"
                )
            for a in f.args:
                for pos in self._positions(f, a):
                    values = self.hostile_values(pos)
                    if pos.path:  # input fields: a sample, the whole argument gets all of them
                        values = self._sample(values, 7)
                    for index, (label, value) in enumerate(values):
                        form = self.rng.choice(["inline", "variables", "variables", "mixed"])
                        self._mutation_request(
                            "mutation-input", f, pos, label, value, "admin", form
                        )
                        if index == 0 or self.rng.random() < 0.1:
                            self._mutation_request(
                                "mutation-read-key", f, pos, label, value, "read", form
                            )

    def _positions(self, f: FieldDef, a: InputValue) -> Iterator[Position]:
        yield Position(f, self.schema.mutation or "", a)
        named = a.type.named
        if self.schema.kind(named) != "INPUT_OBJECT":
            return
        for g in self.schema.types[named].input_fields:
            path: tuple[str | int, ...] = (g.name,)
            yield Position(f, named, a, path, g.type, g.name)
            inner = g.type.named
            if self.schema.kind(inner) == "INPUT_OBJECT":
                for h in self.schema.types[inner].input_fields:
                    deeper = (g.name, 0, h.name) if g.type.is_list else (g.name, h.name)
                    yield Position(f, inner, a, deeper, h.type, h.name)

    def _mutation_request(
        self,
        category: str,
        f: FieldDef,
        pos: Position | None,
        label: str,
        value: Any,
        key: str,
        form: str,
    ) -> None:
        args: dict[str, Any] = {}
        for a in f.args:
            args[a.name] = self.valid_value(a.name, a.type, f.name)
        if pos is not None:
            if pos.path:
                base = args[pos.arg.name]
                args[pos.arg.name] = _set_path(base, pos.path, value)
            else:
                args[pos.arg.name] = value
        secrets = [s for s in _strings(args) if PASSWORD_MARKER in s]
        doc = Doc()
        selection = self.select(f.type.named, 4, doc)
        where = f"{f.name}" + (
            f"({pos.arg.name}{''.join(f'.{p}' for p in pos.path)})" if pos else ""
        )
        variables: dict[str, Any] = {}
        declared: list[str] = []
        rendered: dict[str, Any] = {}
        if form == "mixed" and pos is not None and len(pos.path) == 1:
            base = dict(args[pos.arg.name]) if isinstance(args[pos.arg.name], dict) else None
            if base is not None and pos.path[0] in base:
                base[str(pos.path[0])] = Var("v")
                declared.append(f"$v: {pos.type.sdl()}")
                variables["v"] = value
                rendered = {k: (base if k == pos.arg.name else v) for k, v in args.items()}
        if rendered:
            try:
                arg_text = _args_text(rendered)
            except Unrenderable:
                rendered, declared, variables = {}, [], {}
        if not rendered:
            form = "variables" if form == "mixed" else form
            if form == "inline":
                try:
                    arg_text = _args_text(args)
                except Unrenderable:
                    form = "variables"
            if form == "variables":
                for index, a in enumerate(f.args):
                    declared.append(f"$a{index}: {a.type.sdl()}")
                    variables[f"a{index}"] = args[a.name]
                    rendered[a.name] = Var(f"a{index}")
                arg_text = _args_text(rendered)
        head = f"mutation M({', '.join(declared)})" if declared else "mutation"
        query = doc.wrap(f"{head} {{ {f.name}{arg_text} {{ {selection} }} }}")
        self._add(
            category,
            f"{where} {label} [{form}]",
            {"query": query, "variables": variables},
            key=key,
            secrets=secrets,
        )

    # .. 3. valid documents with fragments, aliases, nesting ................................

    def _selections(self) -> None:
        schema = self.schema
        query = schema.types[schema.query]
        for f in query.fields:
            for round_ in range(6):
                args = self.valid_args(f, schema.query, optional=0.4)
                if "__missing__" in args:
                    continue
                doc = Doc()
                budget = 3 + round_ % 3
                selection = self.select(f.type.named, budget, doc)
                sub = f" {{ {selection} }}" if selection else ""
                call = f"{f.name}{_args_text(args)}{sub}"
                text = f"x{round_}: {call}" if round_ % 2 else call
                if round_ == 3:  # the same field twice under two aliases
                    text = f"x: {call} y: {call}"
                op = doc.wrap(f"query Sel{round_} {{ __typename {text} }}")
                self._add("selection", f"{f.name} #{round_}", {"query": op})
        for label, node_id in [("real", i) for i in self.seeds.node_ids] + self._odd_ids[:12]:
            doc = Doc()
            selection = self.select("Node", 4, doc)
            q = doc.wrap("query N($id: ID!) { node(id: $id) { " + selection + " } }")
            self._add("selection-node", label, {"query": q, "variables": {"id": node_id}})

    # .. 4. variables misuse ................................................................

    def _variable_misuse(self) -> None:
        login = self.seeds.logins[0]
        groups = "groups(first: $f) { totalCount nodes { name } }"
        cases: list[tuple[str, Any]] = [
            ("undeclared", {"query": f"query {{ {groups} }}", "variables": {"f": 1}}),
            ("unused", {"query": "query($x: Int) { __typename }", "variables": {"x": 1}}),
            (
                "unused-wrong-type",
                {"query": "query($x: Int) { __typename }", "variables": {"x": "a"}},
            ),
            (
                "extra-undeclared",
                {"query": "{ __typename }", "variables": {"zzz": [1, {"a": None}]}},
            ),
            (
                "string-for-int",
                {"query": f"query($f: String) {{ {groups} }}", "variables": {"f": "1"}},
            ),
            (
                "nullable-null-for-non-null",
                {"query": f"query($f: Int) {{ {groups} }}", "variables": {"f": None}},
            ),
            ("nullable-absent", {"query": f"query($f: Int) {{ {groups} }}"}),
            ("unknown-type", {"query": f"query($f: Nope) {{ {groups} }}", "variables": {"f": 1}}),
            ("input-type-as-var", {"query": f"query($f: CustomerUserOrder) {{ {groups} }}"}),
            (
                "output-type-as-var",
                {"query": f"query($f: Group) {{ {groups} }}", "variables": {"f": 1}},
            ),
            ("bad-default", {"query": f'query($f: Int = "a") {{ {groups} }}'}),
            ("null-default-non-null", {"query": f"query($f: Int! = null) {{ {groups} }}"}),
            (
                "duplicate-variable",
                {"query": f"query($f: Int, $f: Int) {{ {groups} }}", "variables": {"f": 1}},
            ),
            (
                "list-var-for-int",
                {"query": f"query($f: [Int]) {{ {groups} }}", "variables": {"f": [1]}},
            ),
            ("variables-list", {"query": "{ __typename }", "variables": [1, 2]}),
            ("variables-string", {"query": "{ __typename }", "variables": "{}"}),
            ("variables-number", {"query": "{ __typename }", "variables": 1}),
            ("variables-null", {"query": "{ __typename }", "variables": None}),
            (
                "variable-in-fragment-undeclared",
                {
                    "query": "query { ...F } "
                    "fragment F on Query { groups(first: $f) { totalCount } }"
                },
            ),
            (
                "variable-in-directive-wrong-type",
                {
                    "query": "query($b: String) { __typename @include(if: $b) }",
                    "variables": {"b": "yes"},
                },
            ),
            (
                "variable-in-directive-null",
                {
                    "query": "query($b: Boolean!) { __typename @include(if: $b) }",
                    "variables": {"b": None},
                },
            ),
            (
                "variable-named-like-keyword",
                {
                    "query": "query($null: Int!, $true: Int!) "
                    "{ groups(first: $null) { totalCount } }",
                    "variables": {"null": 1, "true": 2},
                },
            ),
            (
                "login-var-object",
                {
                    "query": "query($l: String!) { customerUser(login: $l) { login } }",
                    "variables": {"l": {"login": login}},
                },
            ),
            ("operationName-int", {"query": "query A { __typename }", "operationName": 1}),
            ("operationName-list", {"query": "query A { __typename }", "operationName": ["A"]}),
            ("operationName-empty", {"query": "query A { __typename }", "operationName": ""}),
            (
                "operationName-surrogate",
                {"query": "query A { __typename }", "operationName": "\ud800"},
            ),
            ("extensions-string", {"query": "{ __typename }", "extensions": "x"}),
            (
                "extensions-persisted",
                {
                    "query": "{ __typename }",
                    "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
                },
            ),
            (
                "persisted-no-query",
                {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
            ),
            ("query-null", {"query": None}),
            ("query-empty", {"query": ""}),
            ("query-blank", {"query": "   "}),
            ("query-int", {"query": 1}),
            ("query-list", {"query": ["{ __typename }"]}),
            ("query-object", {"query": {"a": 1}}),
            ("query-missing", {"variables": {}}),
            ("unknown-top-level-key", {"query": "{ __typename }", "zzz": 1}),
            ("only-fragments", {"query": "fragment F on Query { __typename }"}),
            ("subscription", {"query": "subscription { __typename }"}),
            ("unknown-fragment", {"query": "{ ...Nope }"}),
            ("fragment-on-scalar", {"query": "{ ...F } fragment F on String { __typename }"}),
            (
                "fragment-cycle",
                {"query": "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"},
            ),
            ("unused-fragment", {"query": "{ __typename } fragment F on Query { __typename }"}),
            (
                "impossible-inline",
                {"query": '{ node(id: "x") { ... on PageInfo { hasNextPage } } }'},
            ),
            (
                "conflicting-aliases",
                {
                    "query": "{ a: groups(first: 1) { totalCount } "
                    "a: services(first: 1) { totalCount } }"
                },
            ),
            (
                "conflicting-args",
                {"query": "{ groups(first: 1) { totalCount } groups(first: 2) { totalCount } }"},
            ),
            ("unknown-directive", {"query": "{ __typename @nope }"}),
            ("duplicate-directive", {"query": "{ __typename @skip(if: false) @skip(if: false) }"}),
            ("directive-missing-arg", {"query": "{ __typename @include }"}),
            ("raw-nul-in-query", {"query": "{ __typename \x00 }"}),
            ("raw-surrogate-in-query", {"query": '{ customerUser(login: "\ud800") { login } }'}),
            ("raw-control-in-string", {"query": '{ customerUser(login: "a\x01b") { login } }'}),
            (
                "escaped-surrogate-literal",
                {"query": '{ customerUser(login: "\\ud800") { login } }'},
            ),
            (
                "escaped-surrogate-pair",
                {"query": '{ customerUser(login: "\\ud83d\\ude00") { login } }'},
            ),
            (
                "variable-width-escape",
                {"query": '{ customerUser(login: "\\u{110000}") { login } }'},
            ),
            ("block-string", {"query": '{ customerUser(login: """a\n\\"""b\u0000""") { login } }'}),
            ("unterminated-string", {"query": '{ customerUser(login: "abc) { login } }'}),
            (
                "introspection-type-surrogate",
                {
                    "query": "query($n: String!) { __type(name: $n) { name } }",
                    "variables": {"n": "\ud800"},
                },
            ),
            (
                "introspection-type-long",
                {
                    "query": "query($n: String!) { __type(name: $n) { name } }",
                    "variables": {"n": "T" * 10_000},
                },
            ),
            ("typename-on-mutation-read", {"query": "mutation { __typename }"}),
        ]
        for label, payload in cases:
            self._add("variables-and-documents", label, payload)

    # .. 5. several operations ..............................................................

    def _operations(self) -> None:
        login = json.dumps(self.seeds.logins[0])
        a = "query A { __typename }"
        b = f"query B {{ customerUser(login: {login}) {{ login }} }}"
        m = 'mutation C { groupCreate(input: {name: ""}) { userErrors { code } } }'
        # (document, its operation names, whether GraphQL refuses it whatever the name)
        docs: dict[str, tuple[str, set[str], bool]] = {
            "two-named": (f"{a} {b}", {"A", "B"}, False),
            "query-and-mutation": (f"{a} {m}", {"A", "C"}, False),
            "anonymous-and-named": (f"{{ __typename }} {b}", {"B"}, True),
            "two-anonymous": ("{ __typename } { __typename }", set(), True),
            "duplicate-names": (f"{a} query A {{ __typename }}", {"A"}, True),
        }
        names: list[Any] = [MISSING, None, "A", "B", "C", "Nope", ""]
        for label, (text, operations, invalid) in docs.items():
            for name in names:
                payload: dict[str, Any] = {"query": text}
                if name is not MISSING:
                    payload["operationName"] = name
                shown = "absent" if name is MISSING else repr(name)
                # No name (absent, null, ""?) picks nothing in a document of several
                # operations; a name the document lacks picks nothing either.
                refused = invalid or name not in operations
                for key in ("read", "admin") if "mutation" in text else ("read",):
                    self._add(
                        "operations",
                        f"{label} operationName={shown}",
                        payload,
                        key=key,
                        expect_error=refused,
                    )

    # .. 6. limits ..........................................................................

    def _limits(self) -> None:
        login = json.dumps(self.seeds.logins[0])
        deep = "login"
        for _ in range(12):
            deep = f"customer {{ customerUsers(first: 2) {{ nodes {{ {deep} }} }} }}"
        cases: dict[str, str] = {
            "depth-37": f"{{ customerUser(login: {login}) {{ {deep} }} }}",
            "aliases-40": "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }",
            "aliases-40-groups": "{ "
            + " ".join(f"g{i}: groups(first: 1000) {{ totalCount }}" for i in range(40))
            + " }",
            "tokens-6000": "{ " + " ".join("__typename" for _ in range(6000)) + " }",
            "fragment-fanout-2^10": _fanout(2, 10),
            "fragment-fanout-4^5": _fanout(4, 5),
            "directives-3000": "{ __typename "
            + " ".join("@skip(if: false)" for _ in range(3000))
            + " }",
            "big-list-literal": "{ groups(first: ["
            + ",".join("1" for _ in range(4000))
            + "]) { totalCount } }",
            "nested-list-literal": "{ groups(first: "
            + "[" * 3000
            + "1"
            + "]" * 3000
            + ") { totalCount } }",
            "nested-object-literal": "{ customerUsers(orderBy: "
            + "{a: " * 2000
            + "1"
            + "}" * 2000
            + ") { totalCount } }",
            "nested-selection-braces": "{ " + "__typename { " * 2000 + "}" * 2000 + " }",
            "wide-pages": "{ "
            + " ".join(
                f"c{i}: customerUsers(first: 1000) "
                "{ nodes { login effectivePermissions { permission } } }"
                for i in range(10)
            )
            + " }",
        }
        for label, text in cases.items():
            self._add("limits", label, {"query": text})
        variables = {"v": [[[[[[[[[[1]]]]]]]]]]}
        self._add(
            "limits",
            "deep-json-variable",
            {"query": "query($v: Int) { __typename }", "variables": variables},
        )
        nested = b"[" * 3000 + b"1" + b"]" * 3000
        self._add_raw(
            "limits",
            "json-nesting-3000",
            b'{"query": "{ __typename }", "variables": {"v": ' + nested + b"}}",
        )

    # .. 7. transport .......................................................................

    def _transport(self) -> None:
        ok = b'{"query": "{ __typename }"}'
        bodies: list[tuple[str, bytes]] = [
            ("empty-body", b""),
            ("open-brace", b"{"),
            ("not-json", b"not json"),
            ("json-array", b"[]"),
            ("json-batch", b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]'),
            ("json-null", b"null"),
            ("json-number", b"1"),
            ("json-string", b'"{ __typename }"'),
            ("truncated", ok[:-3]),
            ("invalid-utf8", b'{"query": "{ __typename \xff\xfe }"}'),
            ("utf16", ok.decode().encode("utf-16")),
            ("utf8-bom", b"\xef\xbb\xbf" + ok),
            ("duplicate-keys", b'{"query": "{ nope }", "query": "{ __typename }"}'),
            (
                "surrogate-in-query",
                b'{"query": "{ customerUser(login: \\"\\ud800\\") { login } }"}',
            ),
            (
                "surrogate-in-variables",
                b'{"query": "query($l: String!) { customerUser(login: $l) { login } }", '
                b'"variables": {"l": "\\ud800"}}',
            ),
            ("surrogate-as-key", b'{"query": "{ __typename }", "variables": {"\\udc00": 1}}'),
            (
                "nan-literal",
                b'{"query": "query($f: Int) { groups(first: $f) { totalCount } }", '
                b'"variables": {"f": NaN}}',
            ),
            (
                "huge-number",
                b'{"query": "query($f: Int) { groups(first: $f) { totalCount } }", '
                b'"variables": {"f": ' + b"9" * 5000 + b"}}",
            ),
            ("trailing-garbage", ok + b" garbage"),
            ("nul-bytes", b"\x00" * 64),
        ]
        for label, body in bodies:
            self._add_raw("transport", label, body)
        types: list[tuple[str, str | None, bytes]] = [
            ("text-plain", "text/plain", ok),
            ("graphql-type", "application/graphql", b"{ __typename }"),
            ("graphql-response-type", "application/graphql-response+json", ok),
            ("form", "application/x-www-form-urlencoded", b"query=%7B__typename%7D"),
            ("multipart-garbage", "multipart/form-data; boundary=x", b"--x\r\nnonsense\r\n--x--"),
            ("multipart-no-boundary", "multipart/form-data", ok),
            ("no-content-type", None, ok),
            (
                "json-latin1",
                "application/json; charset=latin-1",
                '{"query": "{ customerUser(login: \\"\u00e9\\") { login } }"}'.encode("latin-1"),
            ),
            ("json-uppercase", "APPLICATION/JSON", ok),
            ("json-odd-params", "application/json;;;charset", ok),
            ("content-type-garbage", "\u00e9/\u00e9", ok),
        ]
        for label, ctype, body in types:
            self._add_raw("transport", label, body, content_type=ctype)
        headers: list[tuple[str, tuple[tuple[str, str], ...]]] = [
            ("host-evil", (("host", "evil.example"),)),
            ("host-rebinding-ip", (("host", "203.0.113.7:8000"),)),
            ("host-empty", (("host", ""),)),
            ("host-latin1", (("host", "\u00e9vil.example"),)),
            ("origin-evil", (("origin", "http://evil.example"),)),
            ("content-length-lie", (("content-length", "5"),)),
            ("accept-html", (("accept", "text/html"),)),
            ("accept-multipart", (("accept", "multipart/mixed"),)),
        ]
        for label, extra in headers:
            self._add_raw("transport", label, ok, headers=extra)
        keys = [
            ("no-key", None),
            ("basic-auth", "Basic YTpi"),
            ("bearer-empty", "Bearer "),
            ("bearer-10k", "Bearer " + "k" * 10_000),
            ("bearer-latin1", "Bearer \u00e9\u00e9"),
            ("bearer-two-tokens", "Bearer a b"),
        ]
        for label, key in keys:
            self._add_raw("transport", label, ok, key=key)
        for method in ("GET", "PUT", "DELETE", "PATCH"):
            self._add_raw("transport", f"method-{method}", ok, method=method, expect_json=False)


# --- small helpers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Inline:
    value: Any

    def __post_init__(self) -> None:
        literal(self.value)  # raises Unrenderable early


def _args_text(args: dict[str, Any]) -> str:
    return "(" + ", ".join(f"{k}: {_lit(v)}" for k, v in args.items()) + ")" if args else ""


def _lit(value: Any) -> str:
    if isinstance(value, Var):
        return f"${value.name}"
    if isinstance(value, Inline):
        return literal(value.value)
    if isinstance(value, dict):
        if not all(_NAME.match(k) for k in value):
            raise Unrenderable(value)
        return "{" + ", ".join(f"{k}: {_lit(v)}" for k, v in value.items()) + "}"
    return literal(value)


def _set_path(base: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A deep copy of ``base`` with ``value`` at ``path`` (creating what is missing)."""
    result = copy.deepcopy(base)
    target = result
    for index, step in enumerate(path[:-1]):
        following: Any = [] if isinstance(path[index + 1], int) else {}
        if isinstance(step, int):
            while len(target) <= step:
                target.append(following)
        elif step not in target or not isinstance(target[step], list | dict):
            target[step] = following
        target = target[step]
    last = path[-1]
    if isinstance(last, int):
        while len(target) <= last:
            target.append(None)
    target[last] = value
    return result


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def _fanout(width: int, levels: int) -> str:
    """Fragments that each spread the one below ``width`` times: width**levels fields from a
    few hundred bytes (validation must stay linear in the text, not in the expansion)."""
    fragments = ["fragment L0 on Query { __typename }"]
    for level in range(1, levels + 1):
        spreads = " ".join(f"...L{level - 1}" for _ in range(width))
        fragments.append(f"fragment L{level} on Query {{ {spreads} }}")
    return f"{{ ...L{levels} }} " + " ".join(fragments)
