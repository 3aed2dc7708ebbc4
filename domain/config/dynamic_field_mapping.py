"""The ``[dynamic_field_from_customer_user]`` section: OTOBO's
``DynamicFieldFromCustomerUser::Mapping`` (customer data key → ticket dynamic field name) and
whether the event module is on (``Ticket::EventModulePost###4100-DynamicFieldFromCustomerUser``,
off in OTOBO by default). Applied by ``domain.customer_data_mapping``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from domain.config.strict_model import StrictModel

DataKey = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=150)]
"""A customer data key (``UserFirstname``, ``CustomerCompanyName``, ``DynamicField_X`` …)."""
FieldName = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]+$", max_length=191)]
"""A dynamic field name, without ``DynamicField_`` (OTOBO's ``[a-zA-Z\\d-]+``)."""


class DynamicFieldFromCustomerUserConfig(StrictModel):
    enabled: bool = False
    """OTOBO's event module registration (Valid=0 by default)."""
    mapping: dict[DataKey, FieldName] = Field(
        default_factory=lambda: {"UserFirstname": "CustomerFirstname"}
    )
    """Customer data key → ticket dynamic field name; OTOBO's default hash."""
