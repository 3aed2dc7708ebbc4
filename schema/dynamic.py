"""The anchor through which static types refer to the Map-built ``CustomerUser`` and
``Customer`` classes.

Both are made per configuration (their fields come from a Map: a customer-user backend's, the
company Map), but ``Group``, ``Service`` and the payloads are static and list them. They
annotate those fields with :data:`CustomerUserRef` / :data:`CustomerRef`, lazy references to
the attributes of this module, which ``schema.builder`` sets right before it creates each
schema; Strawberry resolves them then.

At run time objects are never made from this module (another schema may have been built
since): resolvers wrap records with ``info.context.customer_user_object`` and
``info.context.customer_object``, which belong to the schema serving the request.
"""

from typing import Annotated, Any

import strawberry

CustomerUser: Any = None
Customer: Any = None

CustomerUserRef = Annotated["CustomerUser", strawberry.lazy("schema.dynamic")]
CustomerRef = Annotated["Customer", strawberry.lazy("schema.dynamic")]
