"""Dynamic-field reads: the definitions (``dynamicFields``) and a customer user's values.
The writes are part of the customer-user use cases (``resolvers.use_cases.dynamic_fields``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.dynamic_fields import DynamicFieldDefinition
from resolvers.context import RequestContext


async def definitions(ctx: RequestContext, object_type: str | None) -> list[DynamicFieldDefinition]:
    return await ctx.storage.dynamic_fields.definitions(object_type=object_type)


def customer_user_values(ctx: RequestContext, login: str) -> Any:
    """An awaitable of the user's values by Map attribute (one batch for a page of users)."""
    loaded: Any = ctx.loaders.dynamic_field_values.load(login)
    return loaded


def customer_values(ctx: RequestContext, customer_id: str) -> Any:
    """An awaitable of the customer's values by Map attribute (one batch for a page)."""
    loaded: Any = ctx.loaders.customer_dynamic_field_values.load(customer_id)
    return loaded


async def customer_user_value(ctx: RequestContext, login: str, attribute: str) -> Any:
    found: Mapping[str, Any] = await ctx.loaders.dynamic_field_values.load(login)
    return found.get(attribute)
