"""GraphiQL in a real browser cut off from the internet: ``GET /graphql`` of a running
``roster serve`` loads everything from Roster itself, runs the README's first query and shows
its result. Before, the page loaded React and GraphiQL from unpkg.com and stayed a white
"Loading..." without internet."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.cli.helpers import PROJECT, free_port, roster, write_config
from tests.cli.servers import running_server, wait_healthy
from tests.e2e.browser import console_errors, offline_chromium, requests_made


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
    key = None
    if not anonymous:
        created = roster(
            "api-key", "create", "--config", str(config), "--name", "ui", "--scope", "read"
        )
        assert created.returncode == 0, created.stderr
        key = created.stdout.strip()
    base = f"http://127.0.0.1:{port}"
    log = tmp / "serve.log"
    with running_server(config, log) as process:
        wait_healthy(process, base, log)
        yield Served(base=base, key=key)


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
