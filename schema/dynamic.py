"""The anchor through which static types refer to the Map-built ``CustomerUser`` class.

``CustomerUser`` is made per configuration (its fields come from the Map), but ``Customer``,
``Group`` and ``Service`` are static and list customer users. They annotate those fields with
:data:`CustomerUserRef`, a lazy reference to the ``CustomerUser`` attribute of this module,
which ``schema.builder`` sets right before it creates each schema; Strawberry resolves it then.

At run time objects are never made from this module (another schema may have been built
since): resolvers wrap records with ``info.context.customer_user_object``, which belongs to the
schema serving the request.
"""

from typing import Annotated, Any

import strawberry

CustomerUser: Any = None

CustomerUserRef = Annotated["CustomerUser", strawberry.lazy("schema.dynamic")]
