"""Traces of LDAP reads (``app/tracing.py``, ``datasources/ldap/pool.py``): each call to the
directory is a client span under the GraphQL operation, beside the database's statements, on
Strawberry's path and on the direct one; a directory that does not answer is an error span.
Runs on every database kind, against the session's slapd."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from tests.api.customer_session_helpers import SIGN_IN
from tests.conftest import Api
from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import PEOPLE, Slapd
from tests.ldap.fault_helpers import sign_in_backend
from tests.ldap.helpers import LDAP
from tests.tracing_helpers import TRACING, exporter, named, tree

__all__ = ["exporter"]  # the fixture

LOOKUP = "query Person($l: String!) { customerUser(login: $l) { login source } }"


async def traced_api(make_ldap_api: MakeLdapApi, slapd: Slapd) -> Api:
    return await make_ldap_api([DB_BACKEND, slapd.backend()], server=TRACING)


def ldap_spans(finished: Any) -> list[Any]:
    return [s for s in finished if s.name.startswith("LDAP ")]


async def test_a_directory_lookup_is_a_span_on_both_paths(
    exporter: InMemorySpanExporter, make_ldap_api: MakeLdapApi, slapd: Slapd
) -> None:
    api = await traced_api(make_ldap_api, slapd)
    person = next(p for p in PEOPLE if not p.locked)
    await api.gql("{ __typename }")  # the API key is read (a statement of the request) once
    text = f"{LOOKUP} # {api.kind}"  # new to this process: its first run is Strawberry's
    for _path in ("strawberry", "direct"):
        exporter.clear()
        r = await api.gql(text, {"l": person.uid})
        assert r.data["customerUser"] == {"login": person.uid, "source": LDAP}
        finished = exporter.get_finished_spans()
        # The database backend is asked first (not there), then the directory.
        assert tree(finished) == [
            ("POST /graphql", [("query Person", ["SELECT", "LDAP lookup"])])
        ], tree(finished)
        (call,) = ldap_spans(finished)
        (operation,) = named(finished, "query Person")
        assert call.kind is SpanKind.CLIENT
        assert call.parent is not None
        assert call.parent.span_id == operation.context.span_id
        attributes = dict(call.attributes or {})
        assert attributes["ldap.backend"] == LDAP
        assert attributes["ldap.operation"] == "lookup"
        assert attributes["server.address"] == "127.0.0.1"
        assert person.uid not in str(attributes)  # the filter's values are never in a span
        assert call.status.status_code is StatusCode.UNSET


async def test_a_stopped_directory_is_an_error_span(
    exporter: InMemorySpanExporter, make_ldap_api: MakeLdapApi, slapd_restored: Slapd
) -> None:
    api = await traced_api(make_ldap_api, slapd_restored)
    slapd_restored.stop()
    r = await api.gql(LOOKUP, {"l": "nobody-here"})
    assert "BACKEND_UNAVAILABLE" in r.error_codes, r.body
    (call,) = ldap_spans(exporter.get_finished_spans())
    assert call.status.status_code is StatusCode.ERROR


async def test_a_sign_in_against_the_directory_is_traced_without_the_password(
    exporter: InMemorySpanExporter, make_ldap_api: MakeLdapApi, slapd: Slapd
) -> None:
    backends = [sign_in_backend(slapd), {"module": "db"}]
    api = await make_ldap_api([DB_BACKEND], server=TRACING, customer_auth={"backends": backends})
    person = next(p for p in PEOPLE if not p.locked)
    exporter.clear()
    r = await api.gql(SIGN_IN, {"i": {"login": person.uid, "password": "Not-This-One-7"}})
    assert r.data["customerUserAuthenticate"]["success"] is False, r.body
    finished = exporter.get_finished_spans()
    calls = ldap_spans(finished)
    # The entry is found as the search user, then the password is bound (and refused).
    assert [c.name for c in calls] == ["LDAP find", "LDAP bind"], [c.name for c in calls]
    (operation,) = [s for s in finished if s.name.startswith("mutation")]
    for call in calls:
        assert call.kind is SpanKind.CLIENT
        assert call.parent is not None
        assert call.parent.span_id == operation.context.span_id
        assert dict(call.attributes or {})["ldap.backend"] == "SignIn"
        assert "Not-This-One-7" not in str(call.attributes)
    assert calls[0].status.status_code is StatusCode.UNSET  # found
