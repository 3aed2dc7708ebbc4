"""Partial results: a backend that is down becomes a top-level error beside the data.

Reads skip a backend that does not answer (``datasources.backend``); this extension collects
those outages for the request and adds one ``BACKEND_UNAVAILABLE`` error per backend, with its
name, so a client sees both the users the other backends returned and what is missing.
"""

from collections.abc import Iterable, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from datasources.backend import BackendUnavailable, collect_unavailable


class BackendOutages(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        with collect_unavailable() as outages:
            yield
        result = self.execution_context.result
        if not outages or result is None:
            return
        result.errors = [*(result.errors or []), *outage_errors(outages)]


def outage_errors(outages: Iterable[BackendUnavailable]) -> list[GraphQLError]:
    """One error per backend that did not answer."""
    return [
        GraphQLError(
            f"Backend {outage.backend!r} is unavailable; the result lacks its users.",
            extensions={"code": "BACKEND_UNAVAILABLE", "backend": outage.backend},
        )
        for outage in outages
    ]
