"""The base of every configuration section: frozen, and unknown keys are errors.

A typo in the TOML file (``serch_list_limit``) must be an error that names the key, not a
silent default; frozen because the configuration is shared by every request.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
