"""Dynamic fields: ``dynamicFields(objectType:)``, the definitions from OTOBO's
``dynamic_field`` table, so a frontend builds its forms (labels, types, possible values).

The values of customer users' fields are ``CustomerUser`` fields built from the Map
(``schema.dynamic_field``) and set through ``customerUserCreate``/``customerUserUpdate``.
Read-key readable; closed to customer sessions like every root field not declared open.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from domain.config import RosterConfig
from domain.dynamic_fields import CUSTOMER_USER
from resolvers import dynamic_fields as dynamic_field_resolvers
from schema.audit import Info
from schema.customer_user import CustomerUserTypes
from schema.dynamic_field import DynamicField

CUSTOMER_USER_FIELDS = None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """The value fields get their readers with the rest of CustomerUser."""


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    exposed = {row.name: row.graphql_name for row in types.dynamic_fields}

    @strawberry.type
    class DynamicFieldQueries:
        @strawberry.field(
            description="Dynamic-field definitions in OTOBO's order (field order, then name), "
            "valid and invalid; objectType (Ticket, Article, CustomerUser, CustomerCompany …) "
            "narrows the list."
        )
        async def dynamic_fields(
            self,
            info: Info,
            object_type: Annotated[
                str | None,
                strawberry.argument(
                    description="Only the definitions of this object type, spelled as OTOBO "
                    "stores it (Ticket, Article, CustomerUser, CustomerCompany, or an "
                    "add-on's such as ITSMConfigItem); null: every object type."
                ),
            ] = None,
        ) -> list[DynamicField]:
            found = await dynamic_field_resolvers.definitions(info.context, object_type)
            return [
                DynamicField(
                    definition=d,
                    exposed_as=exposed.get(d.name) if d.object_type == CUSTOMER_USER else None,
                )
                for d in found
            ]

    return DynamicFieldQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class DynamicFieldMutations:
        pass

    return DynamicFieldMutations
