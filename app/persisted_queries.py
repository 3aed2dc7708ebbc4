"""Persisted queries: a request names its document by sha256 hash instead of sending it.

Two modes, both resolved here before anything looks at the document (the restricted callers'
gate, ``app/scope_gate.py``, checks the *resolved* text, so a hash cannot slip past it):

- **Automatic persisted queries** (Apollo's APQ, ``server.persisted_queries``, on by default):
  ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``. A known hash runs
  its text; an unknown one answers ``PERSISTED_QUERY_NOT_FOUND``, and the client sends the
  text with its hash once (registration: the hash must match). The texts live in a bounded
  in-process LRU (``server.persisted_queries_cache_entries`` per server process): with several
  processes a hash registered on one is unknown on another once, and the client registers it
  there too (APQ's usual recovery). Only texts that ran without a document error are kept.
- **Trusted documents** (``server.trusted_documents = "manifest.json"``): only the manifest's
  operations run, by hash or by a text whose sha256 the manifest lists; an unknown hash is
  ``PERSISTED_QUERY_NOT_FOUND`` and any other text ``FORBIDDEN`` (403), with or without its
  hash: nothing is registered. The
  manifest is Apollo's (``{"format": "apollo-persisted-query-manifest", "operations":
  [{"id", "body", …}]}``) or a plain ``{"<sha256>": "<document>"}`` map (GraphQL Code
  Generator's client preset); each id must be its body's sha256, checked at start.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.http_protocol import (
    BAD_REQUEST,
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_NOT_SUPPORTED,
    GraphQLRequest,
    RequestError,
)
from schema.document_cache import Lru

SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestError(Exception):
    """The trusted-documents manifest cannot be used; the message says why."""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DocumentError(RequestError):
    """A refusal that is the document's (not the HTTP request's): answered as a GraphQL
    result (``200`` under ``application/json``, 4xx without ``data`` under
    ``application/graphql-response+json``), as a parse error is."""


NOT_FOUND = DocumentError(404, PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
NOT_SUPPORTED = DocumentError(400, PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported")
NOT_TRUSTED = RequestError(
    403,
    "FORBIDDEN",
    "Only trusted documents run on this server: send the sha256Hash of a registered "
    "operation in extensions.persistedQuery.",
)


@dataclass(frozen=True, slots=True)
class Resolved:
    request: GraphQLRequest
    register: str | None = None
    """The hash to keep the text under once it ran without a document error (APQ)."""


def load_manifest(path: str | Path) -> dict[str, str]:
    """hash → document of a trusted-documents manifest (see the module)."""
    file = Path(path)
    try:
        data: Any = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"server.trusted_documents: {file} does not exist") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(f"server.trusted_documents: {file} is not JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = []
        for item in data["operations"]:
            if not isinstance(item, dict):
                raise ManifestError(
                    f"server.trusted_documents: {file}: an operation is not an object"
                )
            pairs.append((item.get("id"), item.get("body")))
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise ManifestError(f"server.trusted_documents: {file} is not a manifest object")
    documents: dict[str, str] = {}
    for key, body in pairs:
        if not isinstance(key, str) or not isinstance(body, str):
            raise ManifestError(
                f"server.trusted_documents: {file}: every operation needs a string id and body"
            )
        if sha256_hex(body) != key.lower():
            raise ManifestError(
                f"server.trusted_documents: {file}: {key[:16]}… is not the sha256 of its body"
            )
        documents[key.lower()] = body
    return documents


class PersistedQueries:
    """Resolves a request's persisted query (see the module)."""

    def __init__(
        self, *, enabled: bool, max_entries: int, trusted: dict[str, str] | None = None
    ) -> None:
        self._trusted = trusted
        self._cache: Lru[str, str] | None = Lru(max_entries) if enabled else None

    @property
    def trusted_only(self) -> bool:
        return self._trusted is not None

    def resolve(self, request: GraphQLRequest) -> Resolved:
        """``request`` with its query text, or a :class:`RequestError` (see the module)."""
        wanted = _persisted_hash(request.extensions)
        if self._trusted is not None:
            return Resolved(self._resolve_trusted(request, wanted, self._trusted))
        if wanted is None:
            return Resolved(request)
        if self._cache is None:
            raise NOT_SUPPORTED
        if request.query is None:
            text = self._cache.get(wanted)
            if text is None:
                raise NOT_FOUND
            return Resolved(replace(request, query=text))
        if sha256_hex(request.query) != wanted:
            raise RequestError(400, BAD_REQUEST, "provided sha does not match query")
        return Resolved(request, register=wanted)

    def register(self, sha256: str, text: str) -> None:
        if self._cache is not None:
            self._cache.put(sha256, text)

    @staticmethod
    def _resolve_trusted(
        request: GraphQLRequest, wanted: str | None, trusted: dict[str, str]
    ) -> GraphQLRequest:
        if wanted is None:
            if request.query is not None and sha256_hex(request.query) in trusted:
                return request
            raise NOT_TRUSTED
        text = trusted.get(wanted)
        if text is None:  # with a text: an APQ registration, which a manifest does not take
            raise NOT_FOUND if request.query is None else NOT_TRUSTED
        if request.query is not None and request.query != text:
            raise RequestError(400, BAD_REQUEST, "provided sha does not match query")
        return replace(request, query=text)


def _persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    """The sha256 named by ``extensions.persistedQuery`` (lower-case hex), or None."""
    if extensions is None or extensions.get("persistedQuery") is None:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise RequestError(400, BAD_REQUEST, "Unsupported persisted query version.")
    wanted = persisted.get("sha256Hash")
    if not isinstance(wanted, str) or not SHA256.fullmatch(wanted.lower()):
        raise RequestError(
            400, BAD_REQUEST, "extensions.persistedQuery.sha256Hash must be a sha256 in hex."
        )
    return wanted.lower()
