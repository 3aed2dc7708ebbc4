"""Error messages that never show what the client sent.

graphql-core writes the offending input into many of its messages: a misspelt key in
``customerUserSetPassword(input: {login: "u", password: "S3cret", dryrun: true})`` is reported
as ``… unknown field 'dryrun', found: { login: "u", password: "S3cret", dryrun: true }.``, a
variable of the wrong type as ``Variable '$input' has invalid value at .password: String cannot
represent a non string value: 123456``. Such a message reaches the response and the log, so a
password would too. Two layers keep input values out:

1. :func:`without_values` cuts the part of graphql-core's (and Strawberry's scalars') messages
   that echoes a value (``found: …``, ``cannot represent …: …``, a token in a syntax error);
   what stays names the problem (type, field, path) and still helps the client.
2. :class:`Secrets` knows the values the request sent for secret fields (``password``,
   ``newPassword``, … — by name, in the variables and as literals, and the variables passed to
   such fields); a message that still contains one of them is replaced as a whole. This holds
   whatever a message's format, including ones written after this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)

SECRET_NAME = re.compile(r"passw(or)?d|passphrase|secret|token|credential|api_?key", re.IGNORECASE)
"""Input names whose values are secrets: ``password``, ``currentPassword``, ``apiKey`` …"""

WITHHELD = "The request is invalid; the details are withheld because they would show a secret."

# Where graphql-core starts printing a value: ", found: V.", ". Did you mean 'x'? Found: V.",
# ", but encountered error 'E'; found: V." (E often repeats V).
_FOUND = re.compile(r"(?:, but encountered error |[,;]? ?[Ff]ound: )", re.DOTALL)
# Scalar and enum coercion: "String cannot represent a non string value: V",
# "Enum 'E' cannot represent non-string value: V.", 'Value cannot represent a DateTime: "V".'
_CANNOT_REPRESENT = re.compile(r"(cannot represent[^:]*): .*", re.DOTALL)
# Enums: "Value 'V' does not exist in 'E' enum. Did you mean …?"
_NO_SUCH_ENUM_VALUE = re.compile(r"Value .* does not exist in ('[^']*') enum\..*", re.DOTALL)
# Syntax errors name the token they stopped at: "Unexpected Name 'V'.", "found String 'V'.";
# the lexer quotes characters: "Invalid character escape sequence: '\x'."
_TOKEN = re.compile(r"\b(Name|String|BlockString|Int|Float) '.*'", re.DOTALL)
_QUOTED_CHARACTERS = re.compile(r": '.*'", re.DOTALL)


def without_values(message: str) -> str:
    """``message`` (one of graphql-core's) up to where it would print an input value."""
    match = _FOUND.search(message)
    if match is not None:
        message = message[: match.start()]
    message = _CANNOT_REPRESENT.sub(r"\1", message)
    message = _NO_SUCH_ENUM_VALUE.sub(r"The value does not exist in \1 enum", message)
    if message.startswith("Syntax Error:"):
        message = _QUOTED_CHARACTERS.sub("", _TOKEN.sub(r"\1", message))
    message = message.rstrip(" .,;:")
    return message if message.endswith(("?", "!")) else f"{message}."


@dataclass(frozen=True, slots=True)
class Secrets:
    """The secret values of one request, in every form a message could print them."""

    forms: frozenset[str] = frozenset()

    @classmethod
    def of_values(cls, values: Iterable[str]) -> Secrets:
        forms: set[str] = set()
        for value in values:
            if value:
                forms.update({value, json.dumps(value)[1:-1], repr(value)[1:-1]})
        return cls(frozenset(form for form in forms if form))

    def scrub(self, message: str) -> str:
        """``message``, or :data:`WITHHELD` when it shows a secret."""
        if any(form in message for form in self.forms):
            return WITHHELD
        return message


NO_SECRETS = Secrets()


def request_secrets(document: DocumentNode | None, variables: Mapping[str, Any] | None) -> Secrets:
    """The values the request sent for secret inputs, literals and variables alike.

    Computed only for a request that has errors; a document that did not parse has no literals
    to find (its syntax error shows no value: :func:`without_values`)."""
    secret_variables: set[str] = set()
    values: list[str] = []
    if document is not None:
        finder = _SecretLiterals()
        visit(document, finder)
        values.extend(finder.values)
        secret_variables = finder.variables
    for name, value in (variables or {}).items():
        if name in secret_variables or SECRET_NAME.search(name):
            values.extend(_leaves(value))
        else:
            values.extend(_secret_leaves(value))
    return Secrets.of_values(values)


def _secret_leaves(value: Any) -> Iterator[str]:
    """The leaves under secret keys anywhere in a variable's (JSON) value."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and SECRET_NAME.search(key):
                yield from _leaves(item)
            else:
                yield from _secret_leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _secret_leaves(item)


def _leaves(value: Any) -> Iterator[str]:
    """Every scalar in a JSON value, as text (``null`` and booleans are no secrets)."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


class _SecretLiterals(Visitor):
    """Literal values of secret arguments and input fields, and the variables passed there."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []
        self.variables: set[str] = set()

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._named(node.name.value, node.value)

    def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        self._named(node.name.value, node.value)

    def _named(self, name: str, value: ValueNode) -> None:
        if SECRET_NAME.search(name):
            self._collect(value)

    def _collect(self, value: ValueNode) -> None:
        if isinstance(value, StringValueNode | IntValueNode | FloatValueNode | EnumValueNode):
            self.values.append(value.value)
        elif isinstance(value, VariableNode):
            self.variables.add(value.name.value)
        elif isinstance(value, ListValueNode):
            for item in value.values:
                self._collect(item)
        elif isinstance(value, ObjectValueNode):
            for field in value.fields:
                self._collect(field.value)
