"""The database customer-user backend: OTOBO's ``customer_user`` table (``CustomerUser::DB``)."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from domain.config.backend_base import BackendConfigBase

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SqlIdentifier = Annotated[str, Field(pattern=_IDENTIFIER.pattern, max_length=63)]


class CustomerUserBackendConfig(BackendConfigBase):
    """A database source on OTOBO's ``customer_user`` table (``CustomerUser::DB``)."""

    module: Literal["db"] = "db"
    table: SqlIdentifier = "customer_user"
    customer_valid: SqlIdentifier | None = "valid_id"

    @model_validator(mode="after")
    def _check_columns(self) -> Self:
        bad = sorted(c for c in self._storage_fields() if not _IDENTIFIER.match(c))
        if bad:
            raise ValueError(f"map: not SQL column names: {', '.join(bad)}")
        if self.customer_valid is not None and self.customer_valid not in self._storage_fields():
            raise ValueError(f"customer_valid: column {self.customer_valid!r} is not in the map")
        return self
