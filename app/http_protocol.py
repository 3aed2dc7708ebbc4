"""GraphQL over HTTP (the GraphQL-over-HTTP specification): what a request to ``/graphql``
is, which media type the answer has, and which HTTP status it carries.

Why Roster's own rather than Strawberry's view: the view answers every GraphQL error with 200
whatever the client accepts, does not know ``application/graphql-response+json``, answers its
refusals in ``text/plain``, and Roster's direct execution path (``app/server.py``) bypassed it
for the common request anyway, so the two answered differently. Here both paths share one
reading of the request and one shaping of the answer:

- **Requests**: ``POST`` with ``Content-Type: application/json`` (UTF-8), a JSON object with
  ``query``, ``variables``, ``operationName``, ``extensions``; or ``GET`` with those as URL
  parameters (``variables`` and ``extensions`` as JSON), for queries only: a mutation by GET
  is ``405`` with ``Allow: POST``. Batches (a JSON array) are refused.
- **Media types** (``Accept``): ``application/graphql-response+json`` when the client prefers
  it; ``application/json`` when it prefers that, accepts anything (``*/*``) or says nothing;
  ``406`` when it accepts neither.
- **Statuses**: a request the server cannot read (not JSON, no query, a parameter of the wrong
  type, an unsupported media type) is ``4xx`` with ``BAD_REQUEST`` whatever it accepts. A
  document that fails before execution (parse, validation, variable coercion, cost, unknown
  persisted query) is ``400`` (``404`` for ``PERSISTED_QUERY_NOT_FOUND``) with no ``data`` under
  ``application/graphql-response+json``, and the legacy ``200`` with ``"data": null`` under
  ``application/json``. Once execution started the answer is ``200``, field errors
  (``FORBIDDEN`` on a field included) beside the data. Refusals before GraphQL
  (``UNAUTHENTICATED`` 401, ``FORBIDDEN`` 403, ``PAYLOAD_TOO_LARGE`` 413) keep their status
  under both media types.

Every error is GraphQL-shaped JSON with ``extensions.code`` (``app/request_errors.py``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson
from starlette.types import Scope

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"

BAD_REQUEST = "BAD_REQUEST"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"

DOCUMENT_ERROR_CODES = frozenset(
    {
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "BAD_USER_INPUT",
        "QUERY_TOO_COSTLY",
        PERSISTED_QUERY_NOT_FOUND,
        PERSISTED_QUERY_NOT_SUPPORTED,
    }
)
"""Codes of the errors a document gets before it is executed (no ``path``, no ``data``)."""


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """One GraphQL request, whatever carried it (POST body or GET parameters)."""

    method: str
    query: str | None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None


class RequestError(Exception):
    """A request answered with an error before GraphQL ran: its status, code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def wants_page(scope: Scope) -> bool:
    """A browser opening ``/graphql``: a GET accepting HTML but neither JSON media type (a
    navigation's ``text/html,…,*/*;q=0.8``). The GraphiQL page, the only GET the gate lets
    through without a key (``app/auth.py``); a GET that accepts JSON runs its query."""
    if scope["method"] != "GET":
        return False
    accept = (header(scope, b"accept") or "").lower()
    return "text/html" in accept and JSON not in accept and GRAPHQL_RESPONSE not in accept


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


@functools.lru_cache(maxsize=256)  # clients send the same few Accept headers again and again
def negotiate(accept: str | None) -> str | None:
    """The media type to answer in for ``accept`` (see the module), None when neither is
    acceptable. A tie between the two goes to ``application/graphql-response+json`` when the
    client named it, to ``application/json`` when only a wildcard matched (the spec's legacy
    rule until its watershed)."""
    if accept is None or not accept.strip():
        return JSON
    ranges = _media_ranges(accept)
    best: tuple[float, int, int] = (0.0, 0, 0)
    chosen: str | None = None
    for preference, media in ((0, JSON), (1, GRAPHQL_RESPONSE)):
        for accepted, quality in ranges:
            if accepted == media:
                specificity = 2
            elif accepted in ("application/*", "*/*"):
                specificity = 0
            else:
                continue
            # Named types win over wildcards; between named ones, the newer type wins a tie.
            rank = (quality, specificity, preference if specificity else -preference)
            if quality > 0 and rank > best:
                best, chosen = rank, media
    return chosen


def _json_object(raw: str | bytes, name: str) -> dict[str, Any] | None:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestError(400, BAD_REQUEST, f"The {name} parameter is not JSON.") from exc
    if not isinstance(value, dict | None):
        raise RequestError(400, BAD_REQUEST, f"The {name} parameter must be a JSON object.")
    return value


def from_query_string(scope: Scope) -> GraphQLRequest:
    """A GET request's parameters (``variables`` and ``extensions`` as JSON text)."""
    raw = scope.get("query_string", b"")
    try:
        params = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise RequestError(400, BAD_REQUEST, "The query string is not UTF-8.") from exc
    for name, values in params.items():
        if len(values) > 1:
            raise RequestError(400, BAD_REQUEST, f"The {name} parameter is given more than once.")
    single = {name: values[0] for name, values in params.items()}
    variables = _json_object(single["variables"], "variables") if "variables" in single else None
    extensions = (
        _json_object(single["extensions"], "extensions") if "extensions" in single else None
    )
    return GraphQLRequest(
        method="GET",
        query=single.get("query") or None,
        variables=variables,
        operation_name=single.get("operationName") or None,
        extensions=extensions,
    )


def check_content_type(scope: Scope) -> None:
    """A POST must say its body is JSON (in UTF-8, the only charset JSON has)."""
    value = header(scope, b"content-type")
    if value is None:
        raise RequestError(415, BAD_REQUEST, "Send the request as Content-Type: application/json.")
    media, *params = (piece.strip().lower() for piece in value.split(";"))
    if media != JSON:
        raise RequestError(
            415,
            BAD_REQUEST,
            f"Unsupported Content-Type {media!r}: send the request as application/json.",
        )
    for param in params:
        name, _, charset = param.partition("=")
        if name.strip() == "charset" and charset.strip().strip('"') not in ("utf-8", "utf8"):
            raise RequestError(415, BAD_REQUEST, "The request body must be UTF-8 JSON.")


def from_body(body: bytes) -> GraphQLRequest:
    """A POST request's JSON body (see the module)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise RequestError(400, BAD_REQUEST, "The request body is not valid UTF-8 JSON.") from exc
    if isinstance(data, list):
        raise RequestError(400, BAD_REQUEST, "Batched requests are not supported: send one.")
    if not isinstance(data, dict):
        raise RequestError(400, BAD_REQUEST, "The request body must be a JSON object.")
    query = data.get("query")
    if not isinstance(query, str | None):
        raise RequestError(400, BAD_REQUEST, "The query parameter must be a string.")
    variables = data.get("variables")
    if not isinstance(variables, dict | None):
        raise RequestError(400, BAD_REQUEST, "The variables parameter must be an object.")
    operation_name = data.get("operationName")
    if not isinstance(operation_name, str | None):
        raise RequestError(400, BAD_REQUEST, "The operationName parameter must be a string.")
    extensions = data.get("extensions")
    if not isinstance(extensions, dict | None):
        raise RequestError(400, BAD_REQUEST, "The extensions parameter must be an object.")
    return GraphQLRequest("POST", query or None, variables, operation_name, extensions)


NO_QUERY = RequestError(400, BAD_REQUEST, "No GraphQL query found in the request.")
METHODS = RequestError(
    405,
    "METHOD_NOT_ALLOWED",
    "GraphQL requests are GET (queries) or POST.",
    ((b"allow", b"GET, POST"),),
)
MUTATION_BY_GET = RequestError(
    405,
    "METHOD_NOT_ALLOWED",
    "Only queries may be sent with GET: send mutations with POST.",
    ((b"allow", b"POST"),),
)
SUBSCRIPTION_NOT_STREAMED = RequestError(
    400,
    "BAD_REQUEST",
    "A subscription streams its events: open a WebSocket to /graphql (graphql-transport-ws) "
    "or send it with 'Accept: text/event-stream' (Server-Sent Events).",
)
NOT_ACCEPTABLE = RequestError(
    406,
    "NOT_ACCEPTABLE",
    f"Roster answers in {GRAPHQL_RESPONSE} or {JSON}: accept one of them.",
)


def document_error(data: Any, errors: list[dict[str, Any]] | None) -> str | None:
    """The code when an answer is a document refused before execution (no data, errors
    without path, each of a code in :data:`DOCUMENT_ERROR_CODES`), else None."""
    if data is not None or not errors:
        return None
    codes = []
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        if error.get("path") is not None or code not in DOCUMENT_ERROR_CODES:
            return None
        codes.append(code)
    return PERSISTED_QUERY_NOT_FOUND if PERSISTED_QUERY_NOT_FOUND in codes else codes[0]


def shape(processed: dict[str, Any], media: str) -> tuple[int, dict[str, Any]]:
    """The status and body for a GraphQL answer ``processed`` (``data``, ``errors``…)."""
    code = document_error(processed.get("data"), processed.get("errors"))
    if code is None or media == JSON:
        return 200, processed
    body = {key: value for key, value in processed.items() if key != "data"}
    return (404 if code == PERSISTED_QUERY_NOT_FOUND else 400), body
