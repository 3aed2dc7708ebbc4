"""Writing configuration files for the configuration tests, and loading one that must fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.settings import ConfigError, load_config
from domain.field_map import default_db_map


def toml_value(value: Any) -> str:
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
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ=environ or {})
    return str(excinfo.value)
