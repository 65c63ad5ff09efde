"""What the view shows, derived from a `Statistics` snapshot and the application.

`Statistics` has counters per streamlet and per consumer buffer; the view also
wants rates per outlet (a topic's rate is what its producers send on it) and
the fill of each topic, overall and per consuming streamlet (the edge to a
slow consumer is the one that turns red).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

import msgspec

from sandbox.runtime.stats import Statistics  # a field type: needed at run time

if TYPE_CHECKING:
    from sandbox.verification import Application

__all__ = ["FULL", "HIGH", "PortRates", "Snapshot", "TopicView", "fill_level", "snapshot"]

HIGH: Final = 0.5  # fill from which an edge shows backpressure building
FULL: Final = 0.9  # fill from which an edge is marked full ("!!")


def fill_level(fill: float) -> str:
    """ "low", "high" or "full": how close a buffer is to blocking its producers."""
    if fill >= FULL:
        return "full"
    return "high" if fill >= HIGH else "low"


@final
class TopicView(msgspec.Struct, frozen=True, kw_only=True):
    """One topic as an edge: rate, fill, and the fill towards each consumer."""

    name: str
    rate: float
    buffered: int
    capacity: int
    fill: float
    fills: dict[str, float]
    dropped: int
    blocked_seconds: float


@final
class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    """A `Statistics` snapshot with per-topic views and per-outlet rates."""

    statistics: Statistics
    topics: dict[str, TopicView]
    port_rates: dict[str, float]
    stopping: bool = False


@final
class PortRates:
    """Records per second per outlet (`streamlet.port`), over windows of `window` seconds."""

    def __init__(self, window: float = 0.5) -> None:
        self._window = window
        self._last: tuple[float, dict[str, int]] | None = None
        self.rates: dict[str, float] = {}

    def update(self, statistics: Statistics) -> dict[str, float]:
        """Take a new snapshot into account; return the current rates."""
        counts = {
            f"{s.name}.{port}": n
            for s in statistics.streamlets.values()
            for port, n in s.records_out.items()
        }
        now = statistics.elapsed
        if self._last is None:
            self._last = (now, counts)
            return self.rates
        then, previous = self._last
        if now - then >= self._window:
            dt = now - then
            self.rates = {k: max(0.0, (n - previous.get(k, 0)) / dt) for k, n in counts.items()}
            self._last = (now, counts)
        return self.rates


def snapshot(
    statistics: Statistics,
    application: Application,
    rates: PortRates,
    *,
    stopping: bool = False,
) -> Snapshot:
    """Combine a statistics snapshot with the topology into what the view draws."""
    port_rates = rates.update(statistics)
    buffers: dict[str, list[tuple[str, int, int]]] = {}
    dropped: dict[str, int] = {}
    blocked: dict[str, float] = {}
    for t in statistics.topics:
        buffers.setdefault(t.topic, []).append((t.consumer, t.buffered, t.capacity))
        dropped[t.topic] = dropped.get(t.topic, 0) + t.dropped
        blocked[t.topic] = blocked.get(t.topic, 0.0) + t.blocked_seconds
    topics = {}
    for name, connection in application.connections.items():
        fills: dict[str, float] = {}
        for consumer, n, capacity in buffers.get(name, []):
            streamlet = consumer.partition(".")[0]
            fills[streamlet] = max(fills.get(streamlet, 0.0), n / capacity if capacity else 0.0)
        entries = buffers.get(name, [])
        topics[name] = TopicView(
            name=name,
            rate=sum(port_rates.get(str(p), 0.0) for p in connection.producers),
            buffered=sum(n for _, n, _ in entries),
            capacity=sum(c for _, _, c in entries) or connection.topic.capacity,
            fill=max(fills.values(), default=0.0),
            fills=fills,
            dropped=dropped.get(name, 0),
            blocked_seconds=blocked.get(name, 0.0),
        )
    return Snapshot(
        statistics=statistics, topics=topics, port_rates=dict(port_rates), stopping=stopping
    )
