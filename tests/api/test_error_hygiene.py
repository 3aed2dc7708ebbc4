"""What clients and the log see of errors (issue 11, defects 6 and 7).

- No password the request carried appears in the response or in any log line, whatever the
  mistake (a misspelt key, a wrong type, a literal or a variable), on both execution paths.
- A client's mistake (``FORBIDDEN``, ``BAD_USER_INPUT``, an invalid document) is one INFO line
  without a traceback; ERROR is for the server's own faults, with their traceback.
- graphql-core's request errors carry an ``extensions.code`` like every other error.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql import GraphQLError, parse

from schema.error_text import WITHHELD, request_secrets
from schema.masking import mask_error
from tests.conftest import Api, MakeApi, unique

PASSWORD = "S3cret-Hygiene-Pw"
NUMERIC_PASSWORD = 908172635443
SET_PASSWORD = """mutation($input: CustomerUserSetPasswordInput!) {
    customerUserSetPassword(input: $input) { userErrors { code } } }"""
SET_PASSWORD_P = """mutation($p: String) {
    customerUserSetPassword(input: {login: "u", password: $p}) { userErrors { code } } }"""
# This module's own documents, not tests.factories': the first request of a text goes through
# Strawberry and the next through the direct path (the schema's caches are shared by every
# app), so a test that covers both paths must send a text no other test sends.
CREATE_USER = """mutation($i: CustomerUserCreateInput!) {
    customerUserCreate(input: $i) { userErrors { code } } }"""


def _literal(input_text: str) -> dict[str, Any]:
    query = (
        f"mutation {{ customerUserSetPassword(input: {input_text}) {{ userErrors {{ code }} }} }}"
    )
    return {"query": query}


MISTAKES: dict[str, dict[str, Any]] = {
    # The example: a misspelt key in a literal input.
    "literal-misspelt-key": _literal(f'{{login: "u", password: "{PASSWORD}", dryrun: true}}'),
    "literal-missing-field": _literal(f'{{password: "{PASSWORD}"}}'),
    "literal-number": _literal(f'{{login: "u", password: {NUMERIC_PASSWORD}}}'),
    "literal-enum-value": _literal(f'{{login: "u", password: {PASSWORD.replace("-", "_")}}}'),
    "literal-list": _literal(f'{{login: "u", password: ["{PASSWORD}"]}}'),
    "literal-object": _literal(f'{{login: "u", password: {{p: "{PASSWORD}"}}}}'),
    "variable-misspelt-key": {
        "query": SET_PASSWORD,
        "variables": {"input": {"login": "u", "password": PASSWORD, "dryrun": True}},
    },
    "variable-missing-field": {
        "query": SET_PASSWORD,
        "variables": {"input": {"password": PASSWORD}},
    },
    "variable-number": {
        "query": SET_PASSWORD,
        "variables": {"input": {"login": "u", "password": NUMERIC_PASSWORD}},
    },
    "variable-list": {
        "query": SET_PASSWORD,
        "variables": {"input": {"login": "u", "password": [PASSWORD]}},
    },
    "variable-not-an-object": {"query": SET_PASSWORD, "variables": {"input": PASSWORD}},
    "variable-passed-to-password": {
        "query": SET_PASSWORD_P,
        "variables": {"p": {"value": PASSWORD}},
    },
    "create-unknown-field": {
        "query": CREATE_USER,
        "variables": {
            "i": {"login": "x", "customerId": "c", "password": PASSWORD, "pasword": PASSWORD}
        },
    },
}


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    caplog.clear()
    return caplog


def _secrets_in(text: str) -> list[str]:
    forms = {PASSWORD, PASSWORD.replace("-", "_"), str(NUMERIC_PASSWORD)}
    return [form for form in forms if form in text]


async def _send_twice(api: Api, payload: dict[str, Any]) -> list[httpx.Response]:
    """The same request twice: a text that passed validation the first time runs on the
    direct path the second time (``schema/direct_execution.py``)."""
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    return [await api.client.post("/graphql", json=payload, headers=headers) for _ in range(2)]


@pytest.mark.parametrize("mistake", list(MISTAKES))
async def test_no_password_in_the_response_or_the_log(
    api: Api, logs: pytest.LogCaptureFixture, mistake: str
) -> None:
    for response in await _send_twice(api, MISTAKES[mistake]):
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert body["errors"], body
        assert _secrets_in(response.text) == [], response.text
        for error in body["errors"]:
            assert error["extensions"]["code"] in ("GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT")
    assert logs.records, "each request error is logged"
    assert _secrets_in(logs.text) == [], logs.text
    assert [r for r in logs.records if r.levelno >= logging.ERROR] == []


async def test_the_messages_still_name_the_problem(api: Api) -> None:
    r = await api.post(MISTAKES["literal-misspelt-key"])
    assert [e["message"] for e in r.errors] == [
        "Expected value of type 'CustomerUserSetPasswordInput' not to include unknown field "
        "'dryrun'."
    ]
    r = await api.post(MISTAKES["variable-number"])
    assert [e["message"] for e in r.errors] == [
        "Variable '$input' has invalid value at .password: String cannot represent a non "
        "string value."
    ]
    assert r.error_codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ customers(", "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("query($c: String!) { customer(customerId: $c) { name } }", "BAD_USER_INPUT"),
    ],
)
async def test_request_errors_carry_a_code(api: Api, query: str, code: str) -> None:
    r = await api.gql(query)
    assert r.status == 200
    assert r.error_codes == [code], r.body


def _one_info_line(logs: pytest.LogCaptureFixture, code: str) -> None:
    records = [r for r in logs.records if r.name.startswith(("roster", "strawberry"))]
    assert [(r.levelno, r.name) for r in records] == [(logging.INFO, "roster.graphql")], [
        (r.levelname, r.name, r.getMessage()) for r in records
    ]
    (record,) = records
    assert record.exc_info is None
    assert code in record.getMessage()
    assert "\n" not in record.getMessage()


async def test_a_forbidden_request_is_one_info_line(
    api: Api, logs: pytest.LogCaptureFixture
) -> None:
    customer = {"customerId": unique("F"), "name": "F"}
    query = """mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {
        userErrors { code } } }"""
    for _ in range(2):  # Strawberry's path, then the direct one
        logs.clear()
        r = await api.gql(query, {"i": customer}, key="read")
        assert r.error_codes == ["FORBIDDEN"]
        _one_info_line(logs, "FORBIDDEN")


async def test_bad_user_input_is_one_info_line(api: Api, logs: pytest.LogCaptureFixture) -> None:
    for _ in range(2):
        logs.clear()
        r = await api.gql("{ customers(first: 100000) { totalCount } }")
        assert r.error_codes == ["BAD_USER_INPUT"]
        _one_info_line(logs, "BAD_USER_INPUT")


async def test_an_invalid_document_is_one_info_line(
    api: Api, logs: pytest.LogCaptureFixture
) -> None:
    r = await api.gql("{ nope }")
    assert r.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
    _one_info_line(logs, "GRAPHQL_VALIDATION_FAILED")


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        # graphql-core's int() raises ValueError on 5,000 digits: still the document's fault.
        (f"{{ customers(first: {'9' * 5000}) {{ totalCount }} }}", {}, "GRAPHQL_VALIDATION_FAILED"),
        # A nullable variable's null for an argument that is non-null (with a default).
        ("query($f: Int) { customers(first: $f) { totalCount } }", {"f": None}, "BAD_USER_INPUT"),
    ],
    ids=["huge-int-literal", "null-for-non-null-argument"],
)
async def test_odd_arguments_are_client_mistakes(
    api: Api, logs: pytest.LogCaptureFixture, query: str, variables: dict[str, Any], code: str
) -> None:
    for _ in range(2):
        logs.clear()
        r = await api.gql(query, variables)
        assert r.error_codes == [code], r.body
        _one_info_line(logs, code)


async def test_a_server_fault_is_logged_at_error_with_its_traceback(
    make_api: MakeApi, logs: pytest.LogCaptureFixture
) -> None:
    broken = await make_api()
    async with broken.storage.engine.begin() as conn:  # a real fault: the table is gone
        await conn.execute(sa.text("ALTER TABLE customer_company RENAME TO customer_company_y"))
    for _ in range(2):
        logs.clear()
        r = await broken.gql("{ customers(first: 5) { nodes { customerId } } }")
        assert r.error_codes == ["INTERNAL_SERVER_ERROR"]
        errors = [r for r in logs.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1, [(r.name, r.getMessage()) for r in errors]
        assert errors[0].exc_info is not None
        assert "customer_company" in logs.text  # the log, unlike the client, sees the cause
        assert "customer_company" not in json.dumps(r.body)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (MISTAKES["literal-misspelt-key"]["query"], None),
        (SET_PASSWORD, {"input": {"login": "u", "password": PASSWORD}}),
        (SET_PASSWORD_P, {"p": PASSWORD}),  # a variable passed to a password field
        (SET_PASSWORD, {"input": {"login": "u", "newPassword": {"deep": [PASSWORD]}}}),
    ],
    ids=["literal", "variable", "passed-variable", "nested"],
)
def test_a_message_that_would_show_a_secret_is_withheld(
    query: str, variables: dict[str, Any] | None
) -> None:
    """The second layer (``schema/error_text.py``) holds for a message format the first one
    does not know, e.g. a future scalar's. (A direct call: no API message shows a secret.)"""
    error = GraphQLError(f"Some future check refused '{PASSWORD}' here.")
    shown = mask_error(error, request_secrets(parse(query), variables))
    assert (shown.message, shown.extensions) == (WITHHELD, {"code": "GRAPHQL_VALIDATION_FAILED"})
