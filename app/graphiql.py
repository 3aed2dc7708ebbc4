"""The GraphiQL page of ``GET /graphql`` and the static files it loads, all served by Roster.

Why not a CDN (Strawberry's page loads React and GraphiQL from unpkg): on a machine without
internet, behind a strict proxy or under a CSP, that page stays a white "Loading...". The
pinned builds are vendored into ``app/static/graphiql/`` by ``scripts/vendor_graphiql.sh``
(from the npm registry), with a ``manifest.json`` of their sha256 sums: the page names each
file with that sum (Subresource Integrity, so the browser refuses a changed file) and
``tests/e2e/test_graphiql_assets.py`` checks the files against it. The page's
Content-Security-Policy lets it load and call nothing but Roster (its HTTP endpoint, and
its WebSocket for subscriptions, ``static/roster-graphiql.js``).

The URLs carry the version (``graphiql@3.8.3/…``) or the content's hash (``?v=…``), so the
files are served with a year-long, immutable cache lifetime.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDORED_DIR = STATIC_DIR / "graphiql"
MANIFEST = VENDORED_DIR / "manifest.json"
STATIC_PREFIX = "/static"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # GraphiQL's icons are inline SVG data
        "font-src 'self' data:",  # its fonts are embedded in graphiql.min.css
        "connect-src 'self'",  # the queries: to this server only
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
"""Nothing on the page may come from or go to anywhere but Roster itself."""

_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?")
"""A ``Host`` header that can be written into the policy: a name or address, maybe a port
(nothing that could end the source list or add a directive)."""


def content_security_policy(host: str | None) -> str:
    """:data:`CONTENT_SECURITY_POLICY`, its ``connect-src`` naming the page's own WebSocket
    URL (``ws://`` or ``wss://`` and the ``Host`` the browser sent) for the subscriptions.

    Why both: CSP 3's ``'self'`` covers ``ws:``/``wss:`` to the page's own host and port
    (current Chromium and Firefox), but browsers that implement only CSP 2 (older Safari)
    read it as http(s) and would refuse the socket. The host comes from the request (the page
    is the same for every name Roster is reached by); one that does not look like a host adds
    nothing."""
    if host is None or not _HOST.fullmatch(host):
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self'", f"connect-src 'self' ws://{host} wss://{host}"
    )


IMMUTABLE = "public, max-age=31536000, immutable"

_SCRIPTS = (
    "react@{react}/react.production.min.js",
    "react-dom@{react}/react-dom.production.min.js",
    "graphiql@{graphiql}/graphiql.min.js",
    "plugin-explorer@{explorer}/index.umd.js",
    "graphql-ws@{graphql_ws}/graphql-ws.min.js",
)
_STYLES = ("graphiql@{graphiql}/graphiql.min.css", "plugin-explorer@{explorer}/style.css")

DEFAULT_QUERY = """\
# Roster's GraphiQL: write a query here and run it with Ctrl-Enter or the ▶ button.
# The Docs and Explorer buttons on the left show what the schema offers.
{
  customerUsers(first: 10) {
    totalCount
    nodes { login fullName displayName email validity customer { name } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

AUTHORIZATION_TEMPLATE = '{\n  "Authorization": "Bearer <API key>"\n}'
"""The header editor's text when every request needs a key: replace ``<API key>``."""


class MissingAssets(Exception):
    """The vendored GraphiQL files are not installed (package data left out)."""


@dataclass(frozen=True, slots=True)
class Asset:
    url: str
    integrity: str


def _sri(sha256_hex: str) -> str:
    return "sha256-" + base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")


@dataclass(frozen=True, slots=True)
class Manifest:
    """``app/static/graphiql/manifest.json``, written by ``scripts/vendor_graphiql.sh``."""

    packages: dict[str, str]
    """npm package name: its pinned version."""
    sha256: dict[str, str]
    """Each vendored file's path (under ``app/static/graphiql``): its sha256, hex."""


def load_manifest() -> Manifest:
    try:
        data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MissingAssets(
            f"{MANIFEST} is missing: Roster was installed without its static files"
        ) from exc
    return Manifest(packages=dict(data["packages"]), sha256=dict(data["sha256"]))


def _vendored(path_template: str, packages: dict[str, str], sums: dict[str, str]) -> Asset:
    path = path_template.format(
        react=packages["react"],
        graphiql=packages["graphiql"],
        explorer=packages["@graphiql/plugin-explorer"],
        graphql_ws=packages["graphql-ws"],
    )
    return Asset(f"{STATIC_PREFIX}/graphiql/{path}", _sri(sums[path]))


def _own(name: str) -> Asset:
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()
    return Asset(f"{STATIC_PREFIX}/{name}?v={digest[:16]}", _sri(digest))


def page_html(*, anonymous: bool) -> str:
    """The page: the vendored scripts and styles with their integrity, the start-up script,
    and its settings as a JSON data block (not run, so the CSP allows it). ``anonymous``:
    requests without a key are answered, so no ``Authorization`` header is pre-filled."""
    manifest = load_manifest()
    packages, sums = manifest.packages, manifest.sha256
    styles = [_vendored(p, packages, sums) for p in _STYLES] + [_own("roster-graphiql.css")]
    scripts = [_vendored(p, packages, sums) for p in _SCRIPTS] + [_own("roster-graphiql.js")]
    settings = {
        "defaultQuery": DEFAULT_QUERY,
        "defaultHeaders": None if anonymous else AUTHORIZATION_TEMPLATE,
    }
    # "</" cannot end the data block early: JSON allows "<\/" for it.
    settings_json = json.dumps(settings).replace("</", "<\\/")
    links = "\n".join(
        f'    <link rel="stylesheet" href="{html.escape(a.url)}" integrity="{a.integrity}">'
        for a in styles
    )
    tags = "\n".join(
        f'    <script src="{html.escape(a.url)}" integrity="{a.integrity}"></script>'
        for a in scripts
    )
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Roster GraphiQL</title>
    <link rel="icon" href="data:,">
{links}
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    <script id="roster-graphiql-settings" type="application/json">{settings_json}</script>
{tags}
  </body>
</html>
"""


class GraphiQLPage:
    """The page's response, built once (it depends only on the configuration)."""

    def __init__(self, *, anonymous: bool) -> None:
        self._body = page_html(anonymous=anonymous).encode("utf-8")

    def response(self, scope: Scope) -> Response:
        """The page for the request of ``scope`` (its ``Host`` names the page's socket in the
        Content-Security-Policy)."""
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        return HTMLResponse(
            self._body,
            headers={
                "Content-Security-Policy": content_security_policy(host),
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )


class ImmutableStaticFiles(StaticFiles):
    """``app/static``, each file cacheable for a year: its URL changes with its content."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def static_files() -> ImmutableStaticFiles:
    return ImmutableStaticFiles(directory=STATIC_DIR)
