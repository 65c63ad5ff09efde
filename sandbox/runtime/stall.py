"""The stall watchdog: flags a replica that has records waiting and makes no progress.

A replica is *stalled* when records wait in its inlet buffers and, for
`timeout` seconds, it has taken no record from an inlet and sent none on an
outlet. A replica that cannot send because a consumer's buffer is over its
low-water mark is held by backpressure, not stalled: the consumer that does
not drain is the one flagged. A stall sets `Slot.stalled` (statistics, live
view), appends a "stalled" event and logs a warning through the streamlet's
logger; progress afterwards clears the flag with a "recovered" event.

The check reads counters the runtime keeps anyway and runs a few times per
timeout, so it costs nothing on the per-record path.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, final

from sandbox.clock import Clock, SystemClock

if TYPE_CHECKING:
    from sandbox.runtime.rundir import RunDirectory
    from sandbox.runtime.stats import Slot
    from sandbox.transports.base import TopicStatistics, Transport
    from sandbox.verification import Application

__all__ = ["StallWatchdog"]


@final
class _Track:
    """What the watchdog remembers of one replica."""

    __slots__ = ("progress", "since")

    def __init__(self, progress: int, since: float) -> None:
        self.progress = progress
        self.since = since


@final
class StallWatchdog:
    """Flags replicas with waiting records and no progress for `timeout` seconds.

    Args:
        application: the verified application (which outlet feeds which inlets).
        slots: the runtime's replicas, by streamlet name.
        transport: reports how many records wait in each consumer buffer.
        run_dir: where "stalled" and "recovered" events go.
        timeout: seconds without progress that count as a stall.
        clock: wall time; the real clock unless a test says otherwise.
    """

    def __init__(
        self,
        application: Application,
        slots: dict[str, list[Slot]],
        transport: Transport,
        run_dir: RunDirectory,
        *,
        timeout: float,
        clock: Clock | None = None,
    ) -> None:
        self._slots = slots
        self._transport = transport
        self._run_dir = run_dir
        self.timeout = timeout
        self._clock: Clock = clock or SystemClock()
        self._tracks: dict[tuple[str, int], _Track] = {}
        self._downstream: dict[str, set[str]] = {}
        for connection in application.connections.values():
            consumers = {str(c) for c in connection.consumers}
            for producer in connection.producers:
                self._downstream.setdefault(producer.streamlet, set()).update(consumers)

    @property
    def interval(self) -> float:
        """How often `run` checks: four times per timeout, at most once a second."""
        return min(max(self.timeout / 4, 0.01), 1.0)

    async def run(self) -> None:
        """Check every `interval` seconds until cancelled."""
        while True:
            await self._clock.sleep(self.interval)
            self.check()

    def check(self, now: float | None = None) -> None:
        """Compare every running replica's progress with the last check."""
        now = self._clock.now() if now is None else now
        waiting: dict[tuple[str, int], int] = {}
        full: set[str] = set()
        for topic in self._transport.topics():
            streamlet = topic.consumer.partition(".")[0]
            key = (streamlet, topic.replica)
            waiting[key] = waiting.get(key, 0) + topic.buffered
            if _over_low_water(topic):
                full.add(topic.consumer)
        for name, slots in self._slots.items():
            held = bool(self._downstream.get(name, set()) & full)
            for slot in slots:
                self._check_slot(slot, now, waiting.get((name, slot.replica), 0), held=held)

    def _check_slot(self, slot: Slot, now: float, waiting: int, *, held: bool) -> None:
        progress = sum(r.received for r in slot.inlets.values()) + sum(
            w.sent for w in slot.outlets.values()
        )
        key = (slot.name, slot.replica)
        track = self._tracks.get(key)
        if track is None:
            self._tracks[key] = _Track(progress, now)
            return
        if progress != track.progress:
            if slot.stalled:
                self._recovered(slot, now - track.since)
            track.progress, track.since = progress, now
            return
        if slot.stalled:
            return
        if slot.state != "running" or waiting == 0 or held:
            track.since = now
            return
        if now - track.since >= self.timeout:
            self._stalled(slot, waiting, now - track.since)

    def _stalled(self, slot: Slot, waiting: int, seconds: float) -> None:
        slot.stalled = True
        self._run_dir.event(
            "stalled", slot.name, replica=slot.replica, waiting=waiting, seconds=round(seconds, 3)
        )
        _logger(slot).warning(
            "stalled: %d records wait on its inlet and replica %d took none for %.1f s",
            waiting, slot.replica, seconds,
        )  # fmt: skip

    def _recovered(self, slot: Slot, seconds: float) -> None:
        slot.stalled = False
        self._run_dir.event("recovered", slot.name, replica=slot.replica, seconds=round(seconds, 3))
        _logger(slot).info("recovered: replica %d moves again after %.1f s", slot.replica, seconds)


def _over_low_water(topic: TopicStatistics) -> bool:
    """A producer blocked on this buffer waits until it drains to half its capacity."""
    return topic.buffered > topic.capacity // 2


def _logger(slot: Slot) -> logging.Logger:
    return logging.getLogger(f"sandbox.streamlet.{slot.name}")
