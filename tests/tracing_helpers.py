"""What the trace tests share: an in-memory exporter behind Roster's tracer, and the finished
spans as a tree of names."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app import tracing

TRACING = {"tracing": True}
"""The ``server`` section of a config with traces on."""


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    """Traces on for the test, every span ended kept in memory; off again afterwards."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    with tracing.recording(provider):
        yield memory
    provider.shutdown()


def tree(spans: Sequence[ReadableSpan]) -> list[Any]:
    """The spans as nested ``(name, [children])`` pairs, roots first, siblings by start time,
    and a run of equal leaves (three ``SELECT``) shown once with its count: ``"SELECT (x3)"``."""
    by_parent: dict[int | None, list[ReadableSpan]] = {}
    ids = {s.context.span_id for s in spans if s.context is not None}
    for span in spans:
        parent = span.parent.span_id if span.parent is not None else None
        by_parent.setdefault(parent if parent in ids else None, []).append(span)

    def build(parent: int | None) -> list[Any]:
        children = sorted(by_parent.get(parent, []), key=lambda s: s.start_time or 0)
        built: list[Any] = []
        for child in children:
            assert child.context is not None
            below = build(child.context.span_id)
            node: Any = (child.name, below) if below else child.name
            if built and not below and isinstance(built[-1], str):
                name, _, count = built[-1].partition(" (x")
                if name == child.name:
                    built[-1] = f"{name} (x{int(count.rstrip(')') or 1) + 1})"
                    continue
            built.append(node)
        return built

    return build(None)


def named(spans: Sequence[ReadableSpan], prefix: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name.startswith(prefix)]
