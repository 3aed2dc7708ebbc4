"""Writing Roster's TOML configuration in tests, and loading one that must fail.

The configuration tests, the CLI tests (which start ``roster`` with a config file) and the
custom Map field tests all build the same things: TOML values, a
``[[customer_user.backends]]`` table, OTOBO's default Map as rows, and that Map plus the
custom ``UserRoom`` row of the reference's example (§2.3). This is the one copy of each.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.settings import ConfigError, load_config
from domain.field_map import default_db_map

ROOM_ROW: dict[str, Any] = {
    "attribute": "UserRoom",
    "label": "Room",
    "field": "room",
    "show": 1,
    "required": True,
    "type": "var",
}
"""OTOBO's custom Map row example: a required ``UserRoom`` stored in a ``room`` column."""


def toml_value(value: Any) -> str:
    """``value`` written as a TOML value (the few types the tests' configs use)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def default_map_rows() -> list[dict[str, Any]]:
    """OTOBO's default DB Map as the rows a config file's ``map`` array holds."""
    return [
        {
            "attribute": f.attribute,
            "label": f.label,
            "field": f.column,
            "show": f.show,
            "required": f.required,
            "type": f.type,
            "readonly": f.readonly,
        }
        for f in default_db_map()
    ]


def map_with_room(**room_overrides: Any) -> list[dict[str, Any]]:
    """The default Map plus the ``UserRoom`` row, with ``room_overrides`` applied to that row."""
    return [*default_map_rows(), {**ROOM_ROW, **room_overrides}]


def backend_toml(**keys: Any) -> str:
    """One ``[[customer_user.backends]]`` table; ``map`` is written as an array of inline tables."""
    lines = ["[[customer_user.backends]]"]
    for key, value in keys.items():
        if key == "map":
            lines.append("map = [")
            lines += [f"  {toml_value(row)}," for row in value]
            lines.append("]")
        else:
            lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def load_error(path: Path | None, environ: dict[str, str] | None = None) -> str:
    """The message of the ``ConfigError`` that loading ``path`` must raise."""
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ=environ or {})
    return str(excinfo.value)
