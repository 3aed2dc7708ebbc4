"""Sending hostile requests and judging every answer: no HTTP 5xx, JSON where JSON is due, no
INTERNAL_SERVER_ERROR, a code on every error, no password echoed, an error where GraphQL
demands one, nothing logged at ERROR for the request (log records are tied to the request being
handled through a context variable). And the report of what failed, each cause once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import Counter, defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field

import httpx
from graphql import GraphQLError

from tests.api.hostile.generator import Generator
from tests.api.hostile.model import HostileRequest, compact
from tests.api.hostile.seeding import SEED
from tests.conftest import Api

TIMEOUT = 20.0
"""Seconds a request may take before it counts as unanswered."""
LISTED = 25
"""Distinct problems shown in full in a failure report (the rest by signature only)."""

CURRENT: ContextVar[int | None] = ContextVar("hostile_request", default=None)


class TagRequest(logging.Filter):
    """Marks each log record with the hostile request being handled when it was emitted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.hostile_request = CURRENT.get()
        return True


# --- sending and judging ------------------------------------------------------------------


@dataclass
class Outcome:
    request: HostileRequest
    status: int = 0
    content_type: str = ""
    body: bytes = b""
    elapsed: float = 0.0
    problems: list[str] = field(default_factory=list)
    signatures: dict[str, str] = field(default_factory=dict)
    """A problem's signature when it is not ``signature(problem)``."""
    uncoded: list[str] = field(default_factory=list)

    def problem_signatures(self) -> list[str]:
        return list(dict.fromkeys(self.signatures.get(p) or signature(p) for p in self.problems))


def _headers(request: HostileRequest, api: Api) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[str, str]] = []
    if request.content_type is not None:
        headers.append(("content-type", request.content_type))
    if request.key == "admin":
        headers.append(("authorization", f"Bearer {api.admin_key}"))
    elif request.key == "read":
        headers.append(("authorization", f"Bearer {api.read_key}"))
    elif request.key is not None:
        headers.append(("authorization", request.key))
    headers += request.headers
    return [(k.encode(), v.encode("latin-1", "replace")) for k, v in headers]


async def send(client: httpx.AsyncClient, api: Api, index: int, outcome: Outcome) -> None:
    CURRENT.set(index)
    request = outcome.request
    started = time.perf_counter()
    try:
        response = await asyncio.wait_for(
            client.request(
                request.method, "/graphql", content=request.body, headers=_headers(request, api)
            ),
            TIMEOUT,
        )
    except TimeoutError:
        outcome.problems.append(f"no answer within {TIMEOUT:.0f} s")
        return
    except Exception as exc:  # the request never got an answer: say so, with what it was
        outcome.problems.append(f"client exception {type(exc).__name__}: {exc}")
        return
    finally:
        outcome.elapsed = time.perf_counter() - started
    outcome.status = response.status_code
    outcome.content_type = response.headers.get("content-type", "")
    outcome.body = response.content
    judge(outcome)


def judge(outcome: Outcome) -> None:
    """Everything about the answer itself (the logs are judged afterwards)."""
    request, problems = outcome.request, outcome.problems
    if outcome.status >= 500:
        problems.append(f"HTTP {outcome.status}")
    for secret in request.secrets:
        if len(secret) >= 8 and secret.encode() in outcome.body:
            problems.append("a password of the request came back in the response")
            break
    if not request.expect_json:
        return
    try:
        body = json.loads(outcome.body)
    except ValueError:
        text = outcome.body[:60].decode("utf-8", "replace")
        problems.append(
            f"not JSON: HTTP {outcome.status} {outcome.content_type or '(no type)'} {text!r}"
        )
        return
    if not isinstance(body, dict):
        problems.append(f"JSON but not an object: HTTP {outcome.status}")
        return
    errors = body.get("errors") or []
    if not isinstance(errors, list):
        problems.append("errors is not a list")
        return
    if request.expect_error and not errors:
        problems.append("GraphQL requires an error here, the server ran an operation")
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
        if code == "INTERNAL_SERVER_ERROR":
            problems.append(f"INTERNAL_SERVER_ERROR at {error.get('path')}")
        elif code is None and isinstance(error, dict) and error.get("path"):
            problems.append(f"execution error without extensions.code: {message[:120]}")
        elif code is None:
            outcome.uncoded.append(message)
            problems.append(f"request error without extensions.code: {message[:120]}")


def judge_logs(outcomes: list[Outcome], records: list[logging.LogRecord]) -> list[str]:
    """ERROR records as problems of the request they were emitted for; the others returned."""
    unattributed: list[str] = []
    for record in records:
        if record.levelno < logging.ERROR:
            continue
        index = getattr(record, "hostile_request", None)
        sig, text = _log_text(record)
        if index is None:
            unattributed.append(text)
        else:
            outcomes[index].problems.append(text)
            outcomes[index].signatures[text] = sig
    return unattributed


def _log_text(record: logging.LogRecord) -> tuple[str, str]:
    """(signature, text) of an ERROR record. graphql-core's own request errors (parse,
    validation, variable coercion) share one signature: they are one cause, a client's mistake
    logged at ERROR, whatever their message; any other exception is grouped by its type and
    message."""
    message = record.getMessage()
    first_line = message.splitlines()[0][:160] if message else ""
    text = f"ERROR log {record.name}: {first_line}"
    exc = record.exc_info[1] if record.exc_info else None
    if exc is not None:
        detail = str(exc).splitlines()[0][:160] if str(exc) else ""
        text += f" [{type(exc).__name__}: {detail}]"
    if exc is None or type(exc) is GraphQLError:
        sig = f"ERROR log {record.name}: a request error (parse, validation, variables)"
        return sig, text
    return signature(f"ERROR log {record.name}: [{type(exc).__name__}: {detail}]"), text


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+")


def signature(problem: str) -> str:
    """A problem with its particulars (names, numbers) blurred, to group requests by cause."""
    return _NUMBER.sub("#", _QUOTED.sub("'…'", problem))[:220]


def _rank(sig: str) -> int:
    """Server faults first; client mistakes logged at ERROR last."""
    if sig.startswith(("HTTP", "INTERNAL", "no answer", "client exception")):
        return 0
    if sig.startswith(
        ("not JSON", "JSON but", "a password", "execution error", "GraphQL requires")
    ):
        return 2
    client_mistake = ("a request error", "[BadUserInput", "[StrawberryGraphQLError")
    if sig.startswith("ERROR log") and not any(m in sig for m in client_mistake):
        return 1
    return 3


def failure_report(outcomes: list[Outcome], unattributed: list[str]) -> str:
    by_sig: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        for sig in outcome.problem_signatures():
            by_sig[sig].append(outcome)
    failing = sum(1 for o in outcomes if o.problems)
    ordered = sorted(by_sig, key=lambda s: (_rank(s), -len(by_sig[s])))
    lines = [
        f"{failing} of {len(outcomes)} hostile requests failed; {len(by_sig)} distinct problems "
        f"(each once, with its count and its shortest request):"
    ]
    for sig in ordered[:LISTED]:
        example = min(by_sig[sig], key=lambda o: len(o.request.body))
        lines.append(f"- [{len(by_sig[sig])}x] {sig}")
        shown = [p for p in example.problems if (example.signatures.get(p) or signature(p)) == sig]
        if shown and shown[0] != sig:
            lines.append(f"    problem:  {compact(shown[0], 300)}")
        lines.append(f"    request:  {example.request.describe(500)}")
        answer = example.body.decode("utf-8", "replace")
        lines.append(f"    response: HTTP {example.status} {compact(answer, 400)}")
    for sig in ordered[LISTED:]:
        lines.append(f"- [{len(by_sig[sig])}x] {sig}")
    for text in unattributed[:5]:
        lines.append(f"- (not tied to a request) {text}")
    return "\n".join(lines)


def write_report(path: str, outcomes: list[Outcome]) -> None:
    """Every failing request (JSON lines), the answers to the valid mutations (to see that
    they do what they should), then the 30 slowest requests."""
    with open(path, "w", encoding="utf-8") as out:
        for outcome in outcomes:
            if not outcome.problems:
                continue
            row = {
                "signatures": outcome.problem_signatures(),
                "problems": outcome.problems,
                "request": outcome.request.describe(4000),
                "status": outcome.status,
                "response": compact(outcome.body.decode("utf-8", "replace"), 2000),
            }
            out.write(json.dumps(row) + "\n")
        for outcome in outcomes:
            if outcome.request.category == "mutation-valid":
                answer = compact(outcome.body.decode("utf-8", "replace"), 400)
                out.write(json.dumps({"valid": outcome.request.label, "response": answer}) + "\n")
        for outcome in sorted(outcomes, key=lambda o: -o.elapsed)[:30]:
            slow = {"seconds": round(outcome.elapsed, 3), "request": outcome.request.describe(300)}
            out.write(json.dumps(slow) + "\n")


def summary(kind: str, gen: Generator, outcomes: list[Outcome], seconds: float) -> str:
    statuses = Counter(o.status for o in outcomes)
    uncoded = Counter(signature(m)[:60] for o in outcomes for m in o.uncoded)
    slowest = max(outcomes, key=lambda o: o.elapsed)
    busy: Counter[str] = Counter()
    for o in outcomes:
        busy[o.request.category] += round(o.elapsed * 1000)
    return (
        f"hostile[{kind}] seed={SEED}: {gen.summary()} in {seconds:.1f} s; "
        f"HTTP {dict(sorted(statuses.items()))}; "
        f"request errors without extensions.code: {sum(uncoded.values())} "
        f"(most common: {uncoded.most_common(2)}); "
        f"slowest {slowest.elapsed:.2f} s: "
        f"{slowest.request.category}/{slowest.request.label[:60]}; "
        f"request-seconds by category: { {c: round(ms / 1000, 1) for c, ms in busy.most_common()} }"
    )
