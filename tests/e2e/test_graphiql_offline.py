"""GraphiQL in a real browser cut off from the internet: ``GET /graphql`` of a running
``roster serve`` loads everything from Roster itself, runs the README's first query and shows
its result, and streams a subscription over its WebSocket. Before, the page loaded React and
GraphiQL from unpkg.com and stayed a white "Loading..." without internet; and a subscription
typed in it was POSTed by HTTP, which answered an error, not a stream."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.cli.helpers import PROJECT, free_port, roster, write_config
from tests.cli.servers import running_server, wait_healthy
from tests.e2e.browser import (
    console_errors,
    network_events,
    offline_chromium,
    requests_in,
    requests_made,
    sockets_opened,
)


def readme_first_query() -> str:
    """The first ```graphql block of the README (what a new user pastes first)."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```graphql\n(.*?)```", readme, re.DOTALL)
    assert match, "the README shows no GraphQL query"
    return match.group(1)


@dataclass
class Served:
    base: str
    key: str | None  # the API key to send; None when anonymous access is on
    admin_key: str | None  # a key that may write; None when anonymous access is on


def _serve(tmp: Path, *, anonymous: bool) -> Iterator[Served]:
    port = free_port()
    config = write_config(
        tmp / "roster.toml",
        tmp / "roster.db",
        server={"host": "127.0.0.1", "port": port, "graphiql": True},
        auth={"allow_anonymous": anonymous},
        demo={"load_data": True},
    )
    upgraded = roster("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0, upgraded.stderr
    key = admin_key = None
    if not anonymous:
        key, admin_key = (_create_key(config, scope) for scope in ("read", "admin"))
    base = f"http://127.0.0.1:{port}"
    log = tmp / "serve.log"
    with running_server(config, log) as process:
        wait_healthy(process, base, log)
        yield Served(base=base, key=key, admin_key=admin_key)


def _create_key(config: Path, scope: str) -> str:
    created = roster(
        "api-key", "create", "--config", str(config), "--name", scope, "--scope", scope
    )
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


@pytest.fixture(scope="module")
def anonymous_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo's setup: demo data, no key needed on loopback."""
    yield from _serve(tmp_path_factory.mktemp("graphiql-anonymous"), anonymous=True)


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A real deployment's setup: every request needs an API key."""
    yield from _serve(tmp_path_factory.mktemp("graphiql-keyed"), anonymous=False)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    with offline_chromium(tmp_path / "profile") as driver:
        yield driver


QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
VARIABLES_EDITOR = "section.graphiql-editor-tool > .graphiql-editor:nth-child(1) .CodeMirror"
HEADERS_EDITOR = "section.graphiql-editor-tool > .graphiql-editor:nth-child(2) .CodeMirror"


def _editors(driver: webdriver.Chrome) -> dict[str, str | None]:
    """The text of GraphiQL's editors (query, variables, headers, result), and which of
    variables and headers is shown (``tool``)."""
    texts: dict[str, str | None] = driver.execute_script(
        """
        const text = (selector) => {
          const element = document.querySelector(selector);
          return element && element.CodeMirror ? element.CodeMirror.getValue() : null;
        };
        const tool = document.querySelector('section.graphiql-editor-tool');
        return {
          query: text(arguments[0]),
          variables: text(arguments[1]),
          headers: text(arguments[2]),
          result: text('.result-window .CodeMirror'),
          tool: tool && !tool.parentElement.style.display.includes('none')
            ? tool.getAttribute('aria-label') : null,
        };
        """,
        QUERY_EDITOR,
        VARIABLES_EDITOR,
        HEADERS_EDITOR,
    )
    return texts


def _open(driver: webdriver.Chrome, base: str) -> None:
    requests_made(driver)  # forget the browser's own start page
    console_errors(driver)
    driver.get(f"{base}/graphql")
    WebDriverWait(driver, 60).until(lambda d: _editors(d)["query"] is not None)


def _run(driver: webdriver.Chrome, query: str) -> dict[str, Any]:
    """Type ``query`` into the query editor, press the run button, and return the result
    GraphiQL shows (parsed; the result pane is emptied first, so it is this run's)."""
    driver.execute_script(
        """
        document.querySelector(arguments[0]).CodeMirror.setValue(arguments[1]);
        document.querySelector('.result-window .CodeMirror').CodeMirror.setValue('');
        """,
        QUERY_EDITOR,
        query,
    )
    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    shown = WebDriverWait(driver, 30).until(lambda d: _editors(d)["result"] or None)
    assert shown is not None
    result: dict[str, Any] = json.loads(shown)
    return result


def _only_loopback(driver: webdriver.Chrome, base: str, *, refused: bool = False) -> None:
    """Nothing the page asked for went anywhere but Roster (``data:`` URLs stay in the page),
    and the browser refused nothing (integrity, CSP, failed loads); ``refused``: but for the
    401 answers to requests sent without the key."""
    made = requests_made(driver)
    assert f"{base}/graphql" in made
    assert any(url.startswith(f"{base}/static/graphiql/graphiql@") for url in made)
    elsewhere = [url for url in made if not url.startswith((f"{base}/", "data:"))]
    assert elsewhere == []
    errors = console_errors(driver)
    if refused:  # the requests sent without the key: logged by the browser, as expected
        unauthorized = f"{base}/graphql - Failed to load resource: the server responded with a "
        errors = [e for e in errors if not e.startswith(unauthorized + "status of 401")]
    assert errors == []


def test_graphiql_runs_the_readme_query_without_internet(
    anonymous_server: Served, browser: webdriver.Chrome
) -> None:
    _open(browser, anonymous_server.base)
    editors = _editors(browser)
    assert editors["headers"] == ""  # no key needed: nothing pre-filled
    result = _run(browser, readme_first_query())
    assert "errors" not in result, result
    users = result["data"]["customerUsers"]
    assert users["totalCount"] >= 4
    logins = {node["login"] for node in users["nodes"]}
    assert {"jdoe", "rroe", "kmueller", "hsimpson"} <= logins
    assert users["pageInfo"]["hasNextPage"] is False
    _only_loopback(browser, anonymous_server.base)


def test_graphiql_with_keys_prefills_the_authorization_header(
    keyed_server: Served, browser: webdriver.Chrome
) -> None:
    """Without anonymous access the header editor is open with the header to complete; with
    the key filled in, the README's query runs."""
    assert keyed_server.key is not None
    _open(browser, keyed_server.base)
    editors = _editors(browser)
    assert editors["tool"] == "Headers"
    assert editors["headers"] is not None
    assert json.loads(editors["headers"]) == {"Authorization": "Bearer <API key>"}

    refused = _run(browser, readme_first_query())
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    browser.execute_script(
        "document.querySelector(arguments[0]).CodeMirror.setValue(arguments[1]);",
        HEADERS_EDITOR,
        json.dumps({"Authorization": f"Bearer {keyed_server.key}"}),
    )
    result = _run(browser, readme_first_query())
    assert "errors" not in result, result
    assert result["data"]["customerUsers"]["totalCount"] >= 4
    _only_loopback(browser, keyed_server.base, refused=True)


UPDATE_USER = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " userErrors { code message } } }"
)


def _set_headers(driver: webdriver.Chrome, headers: dict[str, str]) -> None:
    driver.execute_script(
        "document.querySelector(arguments[0]).CodeMirror.setValue(arguments[1]);",
        HEADERS_EDITOR,
        json.dumps(headers),
    )


def _start(driver: webdriver.Chrome, subscription: str) -> None:
    """Type ``subscription`` into the query editor and press run once GraphiQL has parsed it
    (it tells a subscription from the parsed document, a moment after an edit), not waiting
    for a result (the result pane is emptied first, so what it shows next is this run's)."""
    driver.execute_script(
        """
        document.querySelector(arguments[0]).CodeMirror.setValue(arguments[1]);
        document.querySelector('.result-window .CodeMirror').CodeMirror.setValue('');
        """,
        QUERY_EDITOR,
        subscription,
    )
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            """
            const parsed = document.querySelector(arguments[0]).CodeMirror.documentAST;
            return parsed && parsed.definitions[0].operation === 'subscription';
            """,
            QUERY_EDITOR,
        )
    )
    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()


def _shown(driver: webdriver.Chrome) -> dict[str, Any] | None:
    text = _editors(driver)["result"]
    if not text:
        return None
    shown: dict[str, Any] = json.loads(text)
    return shown


def _update_until_shown(
    driver: webdriver.Chrome, served: Served, login: str
) -> tuple[dict[str, Any], list[str]]:
    """Change ``login``'s city through the HTTP API (as the other key, or none in the demo)
    until the page shows a streamed event, and return it with the cities written. Several
    writes because the page gives no sign of when the server has the subscription: a change
    before that is not streamed, by design."""
    headers = {"Authorization": f"Bearer {served.admin_key}"} if served.admin_key else {}
    cities: list[str] = []
    with httpx.Client(base_url=served.base, headers=headers, timeout=30) as client:
        for _ in range(20):
            city = f"city-{uuid.uuid4().hex[:8]}"
            variables = {"i": {"login": login, "city": city}}
            answer = client.post("/graphql", json={"query": UPDATE_USER, "variables": variables})
            assert answer.json()["data"]["customerUserUpdate"]["userErrors"] == [], answer.text
            cities.append(city)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                shown = _shown(driver)
                if shown is not None:
                    return shown, cities
                time.sleep(0.1)
    pytest.fail(f"the page showed no event after {len(cities)} changes")


def test_a_subscription_streams_changes_into_the_page(
    anonymous_server: Served, browser: webdriver.Chrome
) -> None:
    """The demo: a subscription run in the page opens a WebSocket to Roster and shows each
    change made meanwhile through the HTTP API, one after the other."""
    _open(browser, anonymous_server.base)
    _start(
        browser,
        'subscription { customerUserChanged(login: "rroe") {'
        " change { action key } customerUser { login city } } }",
    )
    shown, cities = _update_until_shown(browser, anonymous_server, "rroe")
    assert "errors" not in shown, shown
    event = shown["data"]["customerUserChanged"]
    assert event["change"] == {"action": "UPDATED", "key": "rroe"}
    assert event["customerUser"]["login"] == "rroe"
    assert event["customerUser"]["city"] in cities

    # Still subscribed: the next change replaces the event shown.
    browser.execute_script(
        "document.querySelector('.result-window .CodeMirror').CodeMirror.setValue('');"
    )
    following, more = _update_until_shown(browser, anonymous_server, "rroe")
    assert following["data"]["customerUserChanged"]["customerUser"]["city"] == more[0]
    _only_sockets_to_roster(browser, anonymous_server.base, sockets=1)


def test_a_subscription_sends_the_header_editors_key(
    keyed_server: Served, browser: webdriver.Chrome
) -> None:
    """With keys: the placeholder key is refused at once (the socket's close code shown, not
    half a minute of retries); the read key from the header editor goes in the socket's
    ``connection_init`` and the subscription streams a change made with the admin key."""
    assert keyed_server.key is not None
    _open(browser, keyed_server.base)
    subscription = "subscription { changes(types: [CUSTOMER_USER]) { type key action } }"

    started = time.monotonic()
    _start(browser, subscription)
    refused = WebDriverWait(browser, 10).until(_shown)
    assert time.monotonic() - started < 5
    assert refused == {
        "errors": [{"message": "The WebSocket closed: 4403 Forbidden: UNAUTHENTICATED"}]
    }

    _set_headers(browser, {"Authorization": f"Bearer {keyed_server.key}"})
    _start(browser, subscription)
    shown, _cities = _update_until_shown(browser, keyed_server, "hsimpson")
    assert "errors" not in shown, shown
    assert shown["data"] == {
        "changes": {"type": "CUSTOMER_USER", "key": "hsimpson", "action": "UPDATED"}
    }
    _only_sockets_to_roster(browser, keyed_server.base, sockets=2, refused=True)


def _only_sockets_to_roster(
    driver: webdriver.Chrome, base: str, *, sockets: int, refused: bool = False
) -> None:
    """The page opened ``sockets`` WebSockets, each to Roster's ``/graphql``, and made no
    request elsewhere; the browser refused nothing (a CSP refusal of a socket is a console
    error); ``refused``: but for the 401 answers to requests sent without a key."""
    events = network_events(driver)
    assert sockets_opened(events) == [base.replace("http://", "ws://") + "/graphql"] * sockets
    assert [url for url in requests_in(events) if not url.startswith((f"{base}/", "data:"))] == []
    errors = console_errors(driver)
    if refused:
        unauthorized = f"{base}/graphql - Failed to load resource: the server responded with a "
        errors = [e for e in errors if not e.startswith(unauthorized + "status of 401")]
    assert errors == []
