"""Hostile values in every argument of every query field, at the root and below: none
makes the server fail.

One of the three tests of the generated hostile requests (issue 11): the requests, the
judging and why there are three are in ``tests/api/hostile/run.py``."""

from __future__ import annotations

import pytest

from tests.api.hostile.run import send_hostile_requests
from tests.conftest import MakeApi


async def test_hostile_query_arguments_never_fail_on_the_server(
    make_api: MakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    await send_hostile_requests(make_api, caplog, "query_arguments")
