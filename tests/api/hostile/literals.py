"""Values rendered as GraphQL literals and as JSON: enum values, numbers too large for
``json.dumps``, variables and inline values inside an argument list, and base64 for IDs and
cursors."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any


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


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Inline:
    value: Any

    def __post_init__(self) -> None:
        literal(self.value)  # raises Unrenderable early


def args_text(args: dict[str, Any]) -> str:
    return "(" + ", ".join(f"{k}: {lit(v)}" for k, v in args.items()) + ")" if args else ""


def lit(value: Any) -> str:
    if isinstance(value, Var):
        return f"${value.name}"
    if isinstance(value, Inline):
        return literal(value.value)
    if isinstance(value, dict):
        if not all(_NAME.match(k) for k in value):
            raise Unrenderable(value)
        return "{" + ", ".join(f"{k}: {lit(v)}" for k, v in value.items()) + "}"
    return literal(value)
