"""Hostile values at every position: each argument of each query field (at the root and
below), and each mutation argument and input field, one wrong value at a time."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from tests.api.hostile.base import MISSING, Doc, GeneratorBase, Position
from tests.api.hostile.catalogues import (
    HOSTILE_BOOLS,
    HOSTILE_FIRST,
    HOSTILE_INTS,
    HOSTILE_PERMISSIONS,
    HOSTILE_SEARCH,
    HOSTILE_STRINGS,
    PASSWORD_MARKER,
    Labelled,
    odd_cursors,
)
from tests.api.hostile.literals import Enum, Inline, Unrenderable, Var, args_text, lit
from tests.api.hostile.schema_info import FieldDef, InputValue, TypeRef


class ArgumentRequests(GeneratorBase):
    """Requests with one hostile value in a query argument or a mutation input."""

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
            arg_text = "(" + ", ".join(f"{k}: {lit(v)}" for k, v in args.items()) + ")"
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
                arg_text = args_text(rendered)
            except Unrenderable:
                rendered, declared, variables = {}, [], {}
        if not rendered:
            form = "variables" if form == "mixed" else form
            if form == "inline":
                try:
                    arg_text = args_text(args)
                except Unrenderable:
                    form = "variables"
            if form == "variables":
                for index, a in enumerate(f.args):
                    declared.append(f"$a{index}: {a.type.sdl()}")
                    variables[f"a{index}"] = args[a.name]
                    rendered[a.name] = Var(f"a{index}")
                arg_text = args_text(rendered)
        head = f"mutation M({', '.join(declared)})" if declared else "mutation"
        query = doc.wrap(f"{head} {{ {f.name}{arg_text} {{ {selection} }} }}")
        self._add(
            category,
            f"{where} {label} [{form}]",
            {"query": query, "variables": variables},
            key=key,
            secrets=secrets,
        )


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
