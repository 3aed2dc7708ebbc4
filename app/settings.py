"""Load the TOML configuration and its ``ROSTER_*`` environment overrides.

``ROSTER_<SECTION>__<KEY>`` overrides one key (double underscore between levels, list items by
index): ``ROSTER_DATABASE__URL=postgresql+asyncpg://…``,
``ROSTER_CUSTOMER_USER__BACKENDS__0__READ_ONLY=true``. Values are read as JSON when they parse
as JSON (numbers, booleans, lists), else as plain strings, so secrets need not be in the file.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.config import RosterConfig

ENV_PREFIX = "ROSTER_"
CONFIG_ENV = "ROSTER_CONFIG"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and what is wrong."""


def _parse_env_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _apply_override(data: dict[str, Any], path: list[str], value: Any, env_name: str) -> None:
    node: Any = data
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f"{env_name}: no list item {part!r} to override")
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
            continue
        if last:
            node[part] = value
        elif part not in node and path[i + 1].isdigit() and int(path[i + 1]) > 0:
            raise ConfigError(
                f"{env_name}: the file defines no {part}, so only item 0 (the default one) "
                f"can be overridden; define item {path[i + 1]} in the file"
            )
        elif part not in node and path[i + 1].isdigit():
            # A list the file leaves to its default (e.g. the one default backend): start
            # from that many default items, so ROSTER_…__BACKENDS__0__READ_ONLY works.
            node = node.setdefault(part, [{} for _ in range(int(path[i + 1]) + 1)])
        else:
            node = node.setdefault(part, {})


BACKEND_TAGS = frozenset({"db", "ldap"})
"""Pydantic puts the chosen backend kind into error locations; the file has no such level."""


def _format_location(location: tuple[int | str, ...]) -> str:
    out = ""
    for index, part in enumerate(location):
        if part in BACKEND_TAGS and index > 0 and isinstance(location[index - 1], int):
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def format_validation_error(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        location = _format_location(tuple(p for p in item["loc"] if p not in ("function-after",)))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check its spelling and section)"
        lines.append(f"  {location}: {message}")
    return "invalid configuration:\n" + "\n".join(lines)


def load_config(path: str | Path | None, environ: Mapping[str, str] | None = None) -> RosterConfig:
    environ = os.environ if environ is None else environ
    path = path or environ.get(CONFIG_ENV)
    data: dict[str, Any] = {}
    if path:
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file {file} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {file} is not valid TOML: {exc}") from exc
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        keys = [k.lower() for k in name[len(ENV_PREFIX) :].split("__")]
        _apply_override(data, keys, _parse_env_value(raw), name)
    try:
        return RosterConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc)) from exc
