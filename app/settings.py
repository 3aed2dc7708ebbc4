"""Load the TOML configuration and its ``ROSTER_*`` environment overrides.

``ROSTER_<SECTION>__<KEY>`` overrides one key (double underscore between levels, list items by
index): ``ROSTER_DATABASE__URL=postgresql+asyncpg://…``,
``ROSTER_CUSTOMER_USER__BACKENDS__0__READ_ONLY=true``. Values are read as JSON when they parse
as JSON (numbers, booleans, lists), else as plain strings, so secrets need not be in the file.

Which ``ROSTER_*`` variables are configuration: exactly those with a double underscore. A
name without one (``ROSTER_CONFIG``, the scripts' ``ROSTER_EXTRAS``, the tests'
``ROSTER_TEST_PG``) belongs to someone else and is left alone, so setting it never breaks a
command. A name with one is a key path and must start with a known section (``database``,
``server``, …): ``ROSTER_DATABSE__URL`` is an error naming the variable, not a silently
ignored typo; so is a known section's unknown key, and a section's bare name
(``ROSTER_SERVER=…``), which would replace the whole section.

Secrets from files (container secrets): ``ROSTER_<SECTION>__<KEY>_FILE=/run/secrets/x`` sets
the key to the file's content, as a string, one trailing line break removed
(``ROSTER_DATABASE__URL_FILE``, ``ROSTER_CUSTOMER_USER__BACKENDS__0__BIND_PASSWORD_FILE``).
A key whose own name ends in ``_file`` (``ca_file``) is a path and keeps its meaning. Setting
both ``…__URL`` and ``…__URL_FILE`` is an error; so is a file that cannot be read (the message
names the variable and the file, never the content).

A relative SQLite path (``sqlite+aiosqlite:///var/roster.db``) and a relative
``server.trusted_documents`` are relative to the config file's folder, wherever the command
runs from; without a config file, to the current folder.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

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


def _key_path(location: tuple[int | str, ...]) -> tuple[str, ...]:
    """An error location as an environment override's key path (lower case, list indices as
    digits, pydantic's backend-kind level dropped)."""
    return tuple(
        str(part).lower()
        for index, part in enumerate(location)
        if not (part in BACKEND_TAGS and index > 0 and isinstance(location[index - 1], int))
    )


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


def format_validation_error(
    error: ValidationError, overrides: Mapping[tuple[str, ...], str] | None = None
) -> str:
    """Each error on its own line, at its key; ``overrides`` (key path: variable) names the
    ``ROSTER_*`` variable a wrong value or unknown key came from."""
    lines = []
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if p not in ("function-after",))
        location = _format_location(loc)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check its spelling and section)"
        variable = (overrides or {}).get(_key_path(loc))
        if variable:
            message += f" (from {variable})"
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
    overrides: dict[tuple[str, ...], str] = {}
    for name, raw in sorted(environ.items()):
        keys = config_path(name)
        if keys is None:
            continue
        value = _parse_env_value(raw)
        if keys[-1].endswith(FILE_SUFFIX) and keys[-1] not in FILE_KEYS:
            keys = (*keys[:-1], keys[-1].removesuffix(FILE_SUFFIX))
            if keys in overrides:
                raise ConfigError(f"{name}: {overrides[keys]} sets the same key; set one")
            value = _read_secret(name, raw)
        elif keys in overrides:
            raise ConfigError(f"{name}: {overrides[keys]} sets the same key; set one")
        _apply_override(data, list(keys), value, name)
        overrides[keys] = name
    try:
        config = RosterConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, overrides)) from exc
    if not path:  # a relative path stays relative: to the current folder
        return config
    folder = Path(path).resolve().parent
    url = sqlite_url_relative_to(config.database.url, folder)
    if url != config.database.url:
        config = config.model_copy(
            update={"database": config.database.model_copy(update={"url": url})}
        )
    manifest = config.server.trusted_documents
    if manifest and not Path(manifest).is_absolute():  # as the SQLite path: the file's folder
        server = config.server.model_copy(update={"trusted_documents": str(folder / manifest)})
        config = config.model_copy(update={"server": server})
    return config


SECTIONS = frozenset(RosterConfig.model_fields)
FILE_SUFFIX = "_file"


def _keys_named_file() -> frozenset[str]:
    """The configuration's own keys ending in ``_file`` (``ca_file``), in every model."""
    found: set[str] = set()
    pending: list[type[BaseModel]] = [RosterConfig]
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        found.update(name for name in model.model_fields if name.endswith(FILE_SUFFIX))
        pending.extend(model.__subclasses__())
        for info in model.model_fields.values():
            for kind in _classes_in(info.annotation):
                pending.append(kind)
    return frozenset(found)


def _classes_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [kind for arg in get_args(annotation) for kind in _classes_in(arg)]


FILE_KEYS = _keys_named_file()


def _read_secret(name: str, path: str) -> str:
    """The content of the file ``name`` names (see the module's docstring)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{name}: cannot read {path}: {reason}") from None
    return text.removesuffix("\n").removesuffix("\r")


def config_path(name: str) -> tuple[str, ...] | None:
    """The key path an environment variable overrides, or None when it is not configuration
    (no ``ROSTER_`` prefix, or no double underscore: see the module's docstring)."""
    if not name.startswith(ENV_PREFIX):
        return None
    rest = name[len(ENV_PREFIX) :]
    if "__" not in rest:
        if rest.lower() in SECTIONS:
            raise ConfigError(
                f"{name}: sets the whole [{rest.lower()}] section; override one key of it, "
                f"e.g. {name}__<KEY>"
            )
        return None
    keys = tuple(k.lower() for k in rest.split("__"))
    if keys[0] not in SECTIONS:
        raise ConfigError(
            f"{name}: no configuration section {keys[0]!r} (ROSTER_<SECTION>__<KEY> overrides "
            f"a key; the sections are {', '.join(sorted(SECTIONS))})"
        )
    if "" in keys:
        raise ConfigError(f"{name}: an empty key between double underscores")
    return keys


SQLITE_PREFIX = "sqlite+aiosqlite:///"


def sqlite_url_relative_to(url: str, base: Path) -> str:
    """``url`` with a relative SQLite path made absolute against ``base`` (other URLs, an
    absolute path and ``:memory:`` unchanged)."""
    if not url.startswith(SQLITE_PREFIX):
        return url
    path, sep, query = url[len(SQLITE_PREFIX) :].partition("?")
    if not path or path == ":memory:" or Path(path).is_absolute():
        return url
    return f"{SQLITE_PREFIX}{base / path}{sep}{query}"
