"""The schema's areas. Each area module offers:

- ``queries(types, config)`` and ``mutations(types, config)``: Strawberry types whose fields
  are merged into ``Query`` and ``Mutation``;
- ``node_loaders(types)``: ``{type name: async (info, natural key) -> object | None}`` for
  ``node(id:)``;
- ``CUSTOMER_USER_FIELDS``: a Strawberry type whose fields are added to ``CustomerUser``
  (or ``None``);
- ``fast_fields(schema, types)``: installs direct resolvers for its plain fields (optional).

``schema.builder`` merges every module listed in ``AREAS``; adding an area is one line here.
"""

from schema.api import (
    audit,
    bulk_import,
    customer_auth,
    customer_sessions,
    customer_users,
    customers,
    dynamic_fields,
    groups,
    services,
    tickets,
    two_factor,
)

AREAS = (
    customer_users,
    bulk_import,
    customers,
    groups,
    services,
    customer_auth,
    customer_sessions,
    two_factor,
    dynamic_fields,
    tickets,
    audit,
)
