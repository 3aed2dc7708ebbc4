"""CORS in a real browser: a page served from another origin (a small HTTP server on another
loopback port) calls a running ``roster serve`` with ``fetch`` and an API key. A page on an
origin listed in ``server.cors_origins`` reads the answer (after the browser's preflight, which
the ``Authorization`` header requires); a page on any other origin is blocked by the browser
itself, and the server answered only the refused preflight."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver

from tests.cli.helpers import free_port, roster, write_config
from tests.cli.servers import running_server, wait_healthy
from tests.e2e.browser import console_errors, offline_chromium

PAGE = (
    "<!doctype html><html><head><title>portal</title>"
    '<link rel="icon" href="data:,">'  # no favicon request: its 404 would race the checks
    "</head><body>portal</body></html>"
)

CALL = """
const [url, key, method, done] = arguments;
const headers = {Authorization: 'Bearer ' + key, Accept: 'application/graphql-response+json'};
const init = {method, headers};
let target = url;
if (method === 'POST') {
  headers['Content-Type'] = 'application/json';
  init.body = JSON.stringify({query: '{ __typename }'});
} else {
  target = url + '?query=' + encodeURIComponent('{ __typename }');
}
fetch(target, init)
  .then(async (r) => done({status: r.status, type: r.headers.get('content-type'),
                           body: await r.json()}))
  .catch((e) => done({error: String(e)}));
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@contextlib.contextmanager
def page_server(folder: Path) -> Iterator[str]:
    """A static HTTP server of ``folder`` on a free loopback port: its origin."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class World:
    api: str
    key: str
    allowed: str
    other: str
    log: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("cors-browser")
    with page_server(tmp / "allowed-page") as allowed, page_server(tmp / "other-page") as other:
        port = free_port()
        config = write_config(
            tmp / "roster.toml",
            tmp / "roster.db",
            server={"host": "127.0.0.1", "port": port, "cors_origins": [allowed]},
        )
        assert roster("db", "upgrade", "--config", str(config)).returncode == 0
        created = roster(
            "api-key", "create", "--config", str(config), "--name", "spa", "--scope", "read"
        )
        assert created.returncode == 0, created.stderr
        base = f"http://127.0.0.1:{port}"
        log = tmp / "serve.log"
        with running_server(config, log) as process:
            wait_healthy(process, base, log)
            yield World(f"{base}/graphql", created.stdout.strip(), allowed, other, log)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    with offline_chromium(tmp_path / "profile") as driver:
        driver.set_script_timeout(30)
        yield driver


def call_from(driver: webdriver.Chrome, origin: str, world: World, method: str) -> Any:
    driver.get(f"{origin}/index.html")
    console_errors(driver)  # forget the page's own load
    return driver.execute_async_script(CALL, world.api, world.key, method)


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_page_on_a_listed_origin_calls_the_api(
    world: World, browser: webdriver.Chrome, method: str
) -> None:
    result = call_from(browser, world.allowed, world, method)
    assert result == {
        "status": 200,
        "type": "application/graphql-response+json",
        "body": {
            "data": {"__typename": "Query"},
            "extensions": {"cost": {"requested": 1, "maximum": 1_000_000}},
        },
    }
    assert console_errors(browser) == []


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_page_on_another_origin_is_blocked_by_the_browser(
    world: World, browser: webdriver.Chrome, method: str
) -> None:
    log_before = world.log.read_text()
    result = call_from(browser, world.other, world, method)
    assert result == {"error": "TypeError: Failed to fetch"}
    errors = console_errors(browser)
    assert any("blocked by CORS policy" in e and world.other in e for e in errors), errors
    # The server saw the preflight only (refused), never the request with the key.
    seen = world.log.read_text()[len(log_before) :]
    assert '"OPTIONS /graphql HTTP/1.1" 403' in seen, seen
    assert f'"{method} /graphql' not in seen, seen
