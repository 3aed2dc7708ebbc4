"""``app.request_deadlines``: a request past its limit leaves as ``TimeoutError`` (within one
check period), one within it is untouched, and a cancellation from elsewhere stays one."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.deadline_watch import check_period
from app.request_deadlines import RequestDeadlines
from tests.timing import no_collection


async def test_a_request_past_its_limit_is_stopped_within_a_period() -> None:
    deadlines = RequestDeadlines(0.2)
    deadline = deadlines.deadline()
    with no_collection():
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            async with deadline:
                await asyncio.sleep(30)
        elapsed = time.monotonic() - started
    assert deadline.expired
    assert 0.2 <= elapsed < 0.2 + check_period(0.2) + 1.0  # room for a loaded machine
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_requests_within_their_limit_are_untouched_and_several_run_at_once() -> None:
    deadlines = RequestDeadlines(0.3)

    async def request(seconds: float) -> str:
        async with deadlines.deadline():
            await asyncio.sleep(seconds)
            return "done"

    results = await asyncio.gather(
        request(0.01), request(30), request(0.05), return_exceptions=True
    )
    assert results[0] == "done"
    assert isinstance(results[1], TimeoutError)
    assert results[2] == "done"
    assert await request(0.01) == "done"  # idle in between: the check is armed again


async def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    deadlines = RequestDeadlines(30)
    entered = asyncio.Event()

    async def request() -> None:
        async with deadlines.deadline():
            entered.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(request())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
