"""``GeneratorBase``: the state and the valid parts every family of hostile requests builds
on (valid values from the seeds, selection sets, the paths from the query root to each type).
The families (``arguments``, ``documents``, ``limits_and_transport``) add the hostile part."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tests.api.hostile.catalogues import PASSWORD_MARKER, odd_global_ids
from tests.api.hostile.literals import Enum, encode_json, literal
from tests.api.hostile.model import HostileRequest, Seeds
from tests.api.hostile.schema_info import FieldDef, InputValue, SchemaInfo, TypeRef

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


class GeneratorBase:
    """What every family of hostile requests builds on: the schema, the seeds, one random
    generator (so the whole run is reproducible), the requests made so far; valid values,
    selection sets, and the way from the query root to every type."""

    def __init__(self, schema: SchemaInfo, seeds: Seeds, seed: int) -> None:
        self.schema = schema
        self.seeds = seeds
        self.rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
        self.counts: Counter[str] = Counter()
        self.requests: list[HostileRequest] = []
        self._serial = 0
        self._reach = self._reach_paths()
        self._odd_ids = odd_global_ids(schema.node_types())

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
