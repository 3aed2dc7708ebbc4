"""``Generator``: every hostile request for one schema and one set of seeds, from one seed,
made by the request families in a fixed order (the order decides the random draws)."""

from __future__ import annotations

from tests.api.hostile.arguments import ArgumentRequests
from tests.api.hostile.documents import DocumentRequests
from tests.api.hostile.limits_and_transport import LimitAndTransportRequests
from tests.api.hostile.literals import args_text
from tests.api.hostile.model import HostileRequest

FAMILIES = (
    "query-arguments",
    "mutations",
    "selections",
    "variable-misuse",
    "operations",
    "limits",
    "transport",
)
"""The families of requests, in the order they are made (the order decides the random
draws): a test sends the requests of some of them (``tests/api/hostile/run.py``)."""


class Generator(ArgumentRequests, DocumentRequests, LimitAndTransportRequests):
    """Every hostile request for one schema and one set of seeds, from one seed."""

    # .. public ..............................................................................

    def generate(self) -> list[HostileRequest]:
        self.generate_by_family()
        return self.requests

    def generate_by_family(self) -> dict[str, list[HostileRequest]]:
        """Every request (in ``self.requests``, in order), and which family made which."""
        makers = (
            self._root_and_nested_arguments,
            self._mutations,
            self._selections,
            self._variable_misuse,
            self._operations,
            self._limits,
            self._transport,
        )
        made: dict[str, list[HostileRequest]] = {}
        for family, make in zip(FAMILIES, makers, strict=True):
            start = len(self.requests)
            make()
            made[family] = self.requests[start:]
        return made

    def connection_probes(self) -> list[tuple[str, str]]:
        """(connection name, query) for every paginated field reachable from the root: the
        query asks for a page of one, so its endCursor is a real cursor of that field."""
        probes: list[tuple[str, str]] = []
        for owner, openers in sorted(self._reach.items()):
            for f in self.schema.types[owner].fields:
                if not any(a.name == "after" for a in f.args):
                    continue
                args = self.valid_args(f, owner)
                if "__missing__" in args:
                    continue
                args["first"] = 1
                call = f"{f.name}{args_text(args)} {{ pageInfo {{ endCursor }} }}"
                probes.append((f"{owner}.{f.name}", f"query {{ {self._wrap(openers, call)} }}"))
        return probes

    def summary(self) -> str:
        parts = ", ".join(f"{name}={count}" for name, count in sorted(self.counts.items()))
        return f"{len(self.requests)} requests ({parts})"
