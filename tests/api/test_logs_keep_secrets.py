"""No log line (Roster's loggers, uvicorn's, the access log; text and JSON) carries a password,
an API key or a session token, whatever the request does with them."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.api.customer_session_helpers import ME, PASSWORD, SIGN_IN, auth_key
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, new_user


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_sign_in_keys_and_tokens_never_reach_the_log(
    make_api: MakeApi,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    log_format: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    api: Api = await make_api(server={"log_format": log_format})
    login = await new_user(api, await new_customer(api), password=PASSWORD)
    key, _name = await auth_key(api)
    wrong = "Wrong-Battery-Staple-9"
    secrets = [PASSWORD, wrong, api.admin_key, api.read_key, key.removeprefix("Bearer ")]
    signed = await api.gql(
        SIGN_IN, {"i": {"login": login, "password": PASSWORD, "startSession": True}}, key=key
    )
    token = signed.data["customerUserAuthenticate"]["sessionToken"]
    secrets.append(token)
    for _ in range(3):  # failures, until the sign-in limits hold the login back
        await api.gql(SIGN_IN, {"i": {"login": login, "password": wrong}}, key=key)
    assert (await api.gql(ME, key=f"Bearer {token}")).status == 200
    assert (await api.gql(ME, key=f"Bearer {token}x")).status == 401  # an unknown token
    assert (await api.gql(ME, key=f"Bearer {api.admin_key}x")).status == 401  # unknown key
    await asyncio.sleep(0)  # the access lines of this turn
    logged = caplog.text + capsys.readouterr().err
    assert "/graphql" in logged  # the access lines were captured
    for secret in secrets:
        assert secret not in logged
