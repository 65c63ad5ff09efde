"""Statistics as Prometheus text, served at GET /metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio
import pytest

from sandbox.view.prometheus import (
    listener_port,
    metrics_text,
    open_metrics_listener,
    serve_metrics,
)

from .fakes import application, statistics

if TYPE_CHECKING:
    from collections.abc import Callable

    from sandbox.runtime.stats import Statistics


@pytest.fixture(scope="module")
def stats() -> Statistics:
    return statistics(application(), elapsed=2.0, fills={"valid": 0.5})


def test_text_has_per_streamlet_and_per_edge_series(stats: Statistics) -> None:
    text = metrics_text(stats)

    lines = text.splitlines()
    app = 'application="sensor-data"'
    assert f'sandbox_streamlet_records_in_total{{{app},streamlet="metrics",port="in"}} 40' in lines
    assert (
        f'sandbox_streamlet_records_out_total{{{app},streamlet="validation",port="invalid"}} 40'
        in lines
    )
    assert f'sandbox_streamlet_errors_total{{{app},streamlet="ingress"}} 0' in lines
    assert f'sandbox_streamlet_restarts_total{{{app},streamlet="ingress"}} 0' in lines
    assert f'sandbox_streamlet_state{{{app},streamlet="ingress",state="running"}} 1' in lines
    assert f'sandbox_streamlet_state{{{app},streamlet="ingress",state="failed"}} 0' in lines
    edge = f'{app},topic="valid",consumer="valid-log.in",replica="0"'
    assert f"sandbox_topic_buffered_records{{{edge}}} 512" in lines
    assert f"sandbox_topic_capacity_records{{{edge}}} 1024" in lines
    assert f"sandbox_topic_dropped_total{{{edge}}} 0" in lines
    assert f"sandbox_topic_blocked_seconds_total{{{edge}}} 0.0" in lines
    assert "# TYPE sandbox_topic_blocked_seconds_total counter" in lines
    assert text.endswith("\n")


async def _get(port: int, path: str) -> str:
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        chunks = []
        while True:
            try:
                chunks.append(await stream.receive())
            except anyio.EndOfStream:
                return b"".join(chunks).decode()


async def test_endpoint_answers_get_metrics_on_a_free_local_port(stats: Statistics) -> None:
    listener = await open_metrics_listener("127.0.0.1", 0)
    port = listener_port(listener)
    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(serve_metrics, listener, lambda: stats)
            answer = await _get(port, "/metrics")
            missing = await _get(port, "/nothing")
            tg.cancel_scope.cancel()

    head, _, body = answer.partition("\r\n\r\n")
    assert head.splitlines()[0] == "HTTP/1.1 200 OK"
    assert "Content-Type: text/plain; version=0.0.4; charset=utf-8" in head
    assert f"Content-Length: {len(body.encode())}" in head
    assert body == metrics_text(stats)
    assert missing.startswith("HTTP/1.1 404 Not Found")


async def _ask(port: int, request: bytes) -> bytes:
    """Send `request` (nothing: hang up at once) and read until the server closes."""
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        if request:
            await stream.send(request)
        else:
            await stream.send_eof()
        chunks = []
        while True:
            try:
                chunks.append(await stream.receive())
            except anyio.EndOfStream:
                return b"".join(chunks)


async def _serve_and_ask(statistics: Callable[[], Statistics], *requests: bytes) -> list[bytes]:
    listener = await open_metrics_listener("127.0.0.1", 0)
    port = listener_port(listener)
    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(serve_metrics, listener, statistics)
            answers = [await _ask(port, request) for request in requests]
            tg.cancel_scope.cancel()
    return answers


async def test_head_gets_the_length_without_the_body_and_other_methods_get_404(
    stats: Statistics,
) -> None:
    head, post, query = await _serve_and_ask(
        lambda: stats,
        b"HEAD /metrics HTTP/1.1\r\n\r\n",
        b"POST /metrics HTTP/1.1\r\n\r\n",
        b"GET /?format=text HTTP/1.1\r\n\r\n",
    )

    length = len(metrics_text(stats).encode())
    assert head.decode().endswith(f"Content-Length: {length}\r\nConnection: close\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert post.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert post.endswith(b"\r\n\r\ntry GET /metrics\n")
    assert query.endswith(metrics_text(stats).encode())


async def test_a_client_that_hangs_up_at_once_gets_nothing(
    stats: Statistics, caplog: pytest.LogCaptureFixture
) -> None:
    [answer] = await _serve_and_ask(lambda: stats, b"")
    assert answer == b""
    assert caplog.records == []


async def test_a_failing_scrape_is_logged_and_the_endpoint_keeps_answering(
    stats: Statistics, caplog: pytest.LogCaptureFixture
) -> None:
    calls = []

    def statistics() -> Statistics:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("no snapshot")
        return stats

    failed, answered = await _serve_and_ask(
        statistics, b"GET /metrics HTTP/1.1\r\n\r\n", b"GET /metrics HTTP/1.1\r\n\r\n"
    )

    assert failed == b""
    assert answered.startswith(b"HTTP/1.1 200 OK\r\n")
    assert [r.getMessage() for r in caplog.records] == [
        "metrics request failed: RuntimeError: no snapshot"
    ]
