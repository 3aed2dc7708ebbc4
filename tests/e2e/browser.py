"""A headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium, cut
off from every network but this machine's loopback: host names other than 127.0.0.1 do not
resolve, and anything else would go through a proxy on a closed port. What the page asked
for and what the browser complained about are kept, so tests can assert that nothing left
the server and that no integrity or CSP check failed.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

OFFLINE_FLAGS = (
    # No name resolves but the loopback address: a page asking for unpkg.com gets nothing.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    # A request to an address (no name to resolve) goes to a proxy that is not there;
    # loopback is never proxied.
    "--proxy-server=http://127.0.0.1:9",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
)


def browser_available() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists() and shutil.which("chromium") is not None


@contextlib.contextmanager
def offline_chromium(profile: Path) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with only the loopback network, its performance and browser logs
    on (``requests_made``, ``console_errors``)."""
    if not browser_available():
        pytest.fail("chromium and chromedriver are needed (scripts/test.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",  # the test may run as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
        f"--user-data-dir={profile}",
        *OFFLINE_FLAGS,
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def _log(driver: webdriver.Chrome, kind: str) -> list[dict[str, Any]]:
    """Chromium's log ``kind`` since the last read (selenium leaves ``get_log`` untyped)."""
    entries: list[dict[str, Any]] = driver.get_log(kind)  # type: ignore[no-untyped-call]
    return entries


def network_events(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """DevTools' Network events since the last read (``method`` and ``params``)."""
    events = []
    for entry in _log(driver, "performance"):
        message: dict[str, Any] = json.loads(entry["message"])["message"]
        if str(message.get("method", "")).startswith("Network."):
            events.append(message)
    return events


def requests_made(driver: webdriver.Chrome) -> list[str]:
    """The URL of every request made since the last call (DevTools' Network log), except
    those of Chromium's own pages (``chrome://``: its new-tab page loads itself lazily)."""
    return requests_in(network_events(driver))


def requests_in(events: list[dict[str, Any]]) -> list[str]:
    """:func:`requests_made`, of ``events`` (:func:`network_events`)."""
    urls = []
    for event in events:
        params = event["params"]
        if event["method"] == "Network.requestWillBeSent" and not str(
            params.get("documentURL", "")
        ).startswith("chrome://"):
            urls.append(str(params["request"]["url"]))
    return urls


def sockets_opened(events: list[dict[str, Any]]) -> list[str]:
    """The URL of each WebSocket the page opened, of ``events`` (:func:`network_events`)."""
    return [str(e["params"]["url"]) for e in events if e["method"] == "Network.webSocketCreated"]


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """The browser's SEVERE console messages since the last call (failed loads, integrity
    and Content-Security-Policy refusals, script errors)."""
    return [str(e["message"]) for e in _log(driver, "browser") if e["level"] == "SEVERE"]
