"""Statistics as Prometheus text, served at `GET /metrics` by a tiny TCP server.

No dependency: the exposition format is plain text, and the server answers
one request per connection (`Connection: close`), which is all a Prometheus
scraper or `curl` needs. It runs in the run's task group and reads a fresh
`statistics()` snapshot per request.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

import anyio
from anyio.abc import SocketAttribute

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    from collections.abc import Callable

    from anyio.abc import Listener, SocketStream

    from sandbox.runtime.stats import Statistics

__all__ = [
    "CONTENT_TYPE",
    "MetricsPortError",
    "listener_port",
    "metrics_text",
    "open_metrics_listener",
    "serve_metrics",
]

_log = logging.getLogger("sandbox.metrics")

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
STATES: Final = (
    "starting", "running", "restarting", "draining", "completed", "failed", "cancelled",
)  # fmt: skip
_MAX_REQUEST: Final = 8192


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: object) -> str:
    return "{" + ",".join(f'{k}="{_label(str(v))}"' for k, v in labels.items()) + "}"


class _Families:
    """Series grouped by metric name, each family with its HELP and TYPE."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._open: str | None = None

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        self._open = name

    def sample(self, value: object, **labels: object) -> None:
        assert self._open is not None  # family() comes first
        number = repr(value) if isinstance(value, float) else str(value)
        self.lines.append(f"{self._open}{_labels(**labels)} {number}")


def metrics_text(stats: Statistics) -> str:
    """The snapshot in the Prometheus text exposition format (version 0.0.4)."""
    out = _Families()
    app = stats.application
    out.family("sandbox_up", "gauge", "1 while the application runs, 0 once it has ended.")
    out.sample(1 if stats.state in ("starting", "running") else 0, application=app)
    out.family("sandbox_elapsed_seconds", "gauge", "Seconds since the run started.")
    out.sample(round(stats.elapsed, 3), application=app)
    out.family("sandbox_buffered_records", "gauge", "Records waiting in all topic buffers.")
    out.sample(stats.buffered, application=app)
    streamlets = list(stats.streamlets.values())
    out.family("sandbox_streamlet_records_in_total", "counter", "Records received per inlet.")
    for s in streamlets:
        for port, n in s.records_in.items():
            out.sample(n, application=app, streamlet=s.name, port=port)
    out.family("sandbox_streamlet_records_out_total", "counter", "Records sent per outlet.")
    for s in streamlets:
        for port, n in s.records_out.items():
            out.sample(n, application=app, streamlet=s.name, port=port)
    counters = (
        ("errors", "Errors: failures and records that failed (skipped or dead-lettered)."),
        ("skipped", "Records skipped by on-error = skip."),
        ("dead_letters", "Records sent to dead letters."),
        ("restarts", "Replica restarts."),
    )
    for field, help_text in counters:
        out.family(f"sandbox_streamlet_{field}_total", "counter", help_text)
        for s in streamlets:
            out.sample(getattr(s, field), application=app, streamlet=s.name)
    out.family("sandbox_streamlet_replicas", "gauge", "Replicas of the streamlet.")
    for s in streamlets:
        out.sample(s.replicas, application=app, streamlet=s.name)
    out.family("sandbox_streamlet_stalled", "gauge", "1 when a replica is flagged stalled.")
    for s in streamlets:
        out.sample(int(s.stalled), application=app, streamlet=s.name)
    out.family("sandbox_streamlet_state", "gauge", "1 for the streamlet's current state.")
    for s in streamlets:
        for state in STATES:
            out.sample(int(s.state == state), application=app, streamlet=s.name, state=state)
    _edges(out, stats)
    return "\n".join(out.lines) + "\n"


def _edges(out: _Families, stats: Statistics) -> None:
    app = stats.application
    edges = (
        ("buffered", "gauge", "sandbox_topic_buffered_records", "Records in the buffer."),
        ("capacity", "gauge", "sandbox_topic_capacity_records", "The buffer's capacity."),
        ("dropped", "counter", "sandbox_topic_dropped_total", "Records dropped by overflow."),
        (
            "blocked_seconds", "counter", "sandbox_topic_blocked_seconds_total",
            "Seconds producers waited for room (backpressure).",
        ),
    )  # fmt: skip
    for field, kind, name, help_text in edges:
        out.family(name, kind, help_text)
        for t in stats.topics:
            value = getattr(t, field)
            out.sample(
                round(value, 6) if isinstance(value, float) else value,
                application=app, topic=t.topic, consumer=t.consumer, replica=t.replica,
            )  # fmt: skip


class MetricsPortError(SandboxError):
    """The Prometheus endpoint cannot be bound."""


async def open_metrics_listener(host: str, port: int) -> Listener[SocketStream]:
    """Bind the endpoint (port 0: any free port; see `listener.extra(...local_port)`).

    Raises:
        MetricsPortError: the address is in use or cannot be bound.
    """
    try:
        return await anyio.create_tcp_listener(local_host=host, local_port=port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        msg = (
            f"cannot serve metrics on {host}:{port}: {reason}; "
            "pick another --metrics-port (0 takes any free port)"
        )
        raise MetricsPortError(msg) from exc


def listener_port(listener: Listener[SocketStream]) -> int:
    """The port a listener is bound to."""
    return listener.extra(SocketAttribute.local_port)


async def serve_metrics(
    listener: Listener[SocketStream], statistics: Callable[[], Statistics]
) -> None:
    """Answer `GET /metrics` (and `/`) with a fresh snapshot until cancelled."""
    async with listener:
        await listener.serve(lambda stream: _answer(stream, statistics))


async def _answer(stream: SocketStream, statistics: Callable[[], Statistics]) -> None:
    try:
        await _exchange(stream, statistics)
    except anyio.get_cancelled_exc_class():
        raise
    except Exception as exc:  # a scrape must never take the run down
        _log.warning("metrics request failed: %s: %s", type(exc).__name__, exc)


async def _exchange(stream: SocketStream, statistics: Callable[[], Statistics]) -> None:
    async with stream:
        request = b""
        with anyio.move_on_after(5):
            while b"\r\n\r\n" not in request and len(request) < _MAX_REQUEST:
                try:
                    request += await stream.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    return
        method, _, rest = request.partition(b" ")
        path = rest.partition(b" ")[0].partition(b"?")[0]
        if method not in (b"GET", b"HEAD") or path not in (b"/metrics", b"/"):
            await _send(stream, "404 Not Found", "text/plain", b"try GET /metrics\n")
            return
        body = metrics_text(statistics()).encode()
        await _send(stream, "200 OK", CONTENT_TYPE, b"" if method == b"HEAD" else body, len(body))


async def _send(
    stream: SocketStream, status: str, kind: str, body: bytes, length: int | None = None
) -> None:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\nConnection: close\r\n\r\n"
    )
    try:
        await stream.send(head.encode() + body)
    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
        return
