"""Where storage (and the executor) open trace spans: a slot ``app.tracing`` fills when
traces are on, None otherwise.

Why a slot and not OpenTelemetry's API here: the layers below ``app/`` stay free of an optional
package, and with traces off (the default) a hook costs one module-attribute read and a
comparison, no tracer call. SQLAlchemy's own statements need no hook at all (``app.tracing``
listens to the engines' events); the hooks are for what runs beside SQLAlchemy: the prepared
reads on the driver (``datasources.db.prepared``), the LDAP calls (``datasources.ldap``) and
the GraphQL operation (``schema.flat_lists``' execution context, shared by every path).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol


class SpanOpener(Protocol):
    def __call__(
        self, name: str, attributes: Mapping[str, Any], /, *, client: bool = False
    ) -> AbstractContextManager[Any]:
        """A context manager around one span named ``name``, a child of the current one and
        current inside the block: ended on exit, marked as an error when the block raises.
        ``client``: a call to another server (a database, a directory)."""
        ...


opener: SpanOpener | None = None
"""Set by ``app.tracing.enable`` (and cleared by ``disable``); read at each hook."""
