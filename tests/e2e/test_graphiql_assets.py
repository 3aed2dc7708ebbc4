"""The GraphiQL page's vendored files (``app/static/graphiql``, ``scripts/vendor_graphiql.sh``):
they match their manifest, the page names each with its integrity and a CSP that keeps it on
Roster, they are served with long cache lifetimes, and a built wheel contains them."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx

from app.graphiql import STATIC_DIR, VENDORED_DIR, load_manifest
from app.server import create_app
from domain.config import RosterConfig
from tests.cli.helpers import PROJECT


def _config(*, anonymous: bool = False, graphiql: bool = True) -> RosterConfig:
    return RosterConfig.model_validate(
        {"server": {"graphiql": graphiql}, "auth": {"allow_anonymous": anonymous}}
    )


async def _get(config: RosterConfig, path: str, **headers: str) -> httpx.Response:
    """A GET of ``path`` from the app, without its lifespan: the page and the static files
    never touch the database."""
    transport = httpx.ASGITransport(app=create_app(config))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return await client.get(path, headers=headers)


def _page_assets(page: str) -> dict[str, str]:
    """Each script and stylesheet the page loads: its URL and its integrity."""
    tags = re.findall(
        r'<(?:script|link rel="stylesheet") (?:src|href)="([^"]+)" integrity="([^"]+)"', page
    )
    return dict(tags)


def test_vendored_files_match_the_manifest() -> None:
    manifest = load_manifest()
    on_disk = {
        str(path.relative_to(VENDORED_DIR))
        for path in VENDORED_DIR.rglob("*")
        if path.is_file() and path.name != "manifest.json"
    }
    assert set(manifest.sha256) == on_disk
    for name, digest in manifest.sha256.items():
        assert hashlib.sha256((VENDORED_DIR / name).read_bytes()).hexdigest() == digest, name
    assert manifest.packages == {
        "react": "18.2.0",
        "react-dom": "18.2.0",
        "graphiql": "3.8.3",
        "@graphiql/plugin-explorer": "1.0.2",
        "graphql-ws": "6.4.2",
    }


def test_vendor_script_pins_the_manifest_versions() -> None:
    script = (PROJECT / "scripts" / "vendor_graphiql.sh").read_text(encoding="utf-8")
    packages = load_manifest().packages
    assert f"GRAPHIQL={packages['graphiql']}\n" in script
    assert f"REACT={packages['react']}\n" in script
    assert f"EXPLORER={packages['@graphiql/plugin-explorer']} " in script
    assert f"GRAPHQL_WS={packages['graphql-ws']}\n" in script


async def test_page_loads_only_roster_files_with_their_integrity() -> None:
    page = await _get(_config(), "/graphql", accept="text/html")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"].split("; ")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "connect-src 'self' ws://localhost wss://localhost" in policy  # and its socket
    assert page.headers["cache-control"] == "no-cache"
    assert "unpkg" not in page.text
    assert "http" not in page.text.replace("text/html", "")  # no absolute URL at all
    assets = _page_assets(page.text)
    sums = load_manifest().sha256
    vendored = {f"/static/graphiql/{name}" for name in sums if name.endswith((".js", ".css"))}
    assert vendored <= set(assets)
    for url, integrity in assets.items():
        path = url.removeprefix("/static/").split("?", 1)[0]
        digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).digest()
        assert integrity == "sha256-" + base64.b64encode(digest).decode(), url
    assert len(assets) == len(vendored) + 2  # and Roster's own start-up script and styles


async def test_the_policy_names_the_socket_of_the_host_asked_for() -> None:
    """The subscriptions' WebSocket is allowed on the name the browser used (CSP 2 browsers
    do not count ws: as 'self'); a Host that could add to the policy adds nothing."""
    page = await _get(_config(), "/graphql", accept="text/html", host="roster.example:8443")
    policy = page.headers["content-security-policy"].split("; ")
    assert "connect-src 'self' ws://roster.example:8443 wss://roster.example:8443" in policy
    for host in ("x; script-src *", "x *", "'unsafe-inline'"):
        page = await _get(_config(), "/graphql", accept="text/html", host=host)
        policy = page.headers["content-security-policy"].split("; ")
        assert "connect-src 'self'" in policy, host
        assert "script-src 'self'" in policy
        assert len(policy) == 10, host


async def test_page_prefills_the_authorization_header_only_when_a_key_is_needed() -> None:
    def settings(text: str) -> dict[str, object]:
        found = re.search(r'type="application/json">(.*?)</script>', text, re.DOTALL)
        assert found
        parsed: dict[str, object] = json.loads(found.group(1))
        return parsed

    keyed = await _get(_config(), "/graphql", accept="text/html")
    assert settings(keyed.text)["defaultHeaders"] == '{\n  "Authorization": "Bearer <API key>"\n}'
    anonymous = await _get(
        _config(anonymous=True), "/graphql", accept="text/html", host="localhost"
    )
    assert settings(anonymous.text)["defaultHeaders"] is None


async def test_static_files_are_cached_for_a_year() -> None:
    name = next(iter(load_manifest().sha256))
    response = await _get(_config(), f"/static/graphiql/{name}")
    assert response.status_code == 200
    assert response.content == (VENDORED_DIR / name).read_bytes()
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert (await _get(_config(), "/static/../settings.py")).status_code == 404


async def test_no_static_files_when_graphiql_is_off() -> None:
    name = next(iter(load_manifest().sha256))
    assert (await _get(_config(graphiql=False), f"/static/graphiql/{name}")).status_code == 404


def test_a_built_wheel_contains_the_static_files(tmp_path: Path) -> None:
    """``pip install roster`` (not editable) ships the page's files: pyproject's package data."""
    source = tmp_path / "src"
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in tracked:
        if (PROJECT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, source / name)
    built = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("roster-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"app/static/graphiql/{name}" for name in load_manifest().sha256}
    expected |= {
        "app/static/graphiql/manifest.json",
        "app/static/roster-graphiql.js",
        "app/static/roster-graphiql.css",
    }
    assert expected <= names
