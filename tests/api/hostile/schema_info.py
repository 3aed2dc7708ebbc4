"""The introspected schema as small typed records: what the generator walks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphql import get_introspection_query

INTROSPECTION = get_introspection_query(descriptions=False)


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
