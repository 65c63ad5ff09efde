"""The blocked-event-loop watchdog: names the streamlet whose code holds the loop.

A task on the loop records a heartbeat every few milliseconds; a daemon
thread checks it. When the heartbeat is older than the threshold, the
thread asks which task the loop is running (each replica's task is named
after it) and reports it once per blocking episode.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, final

import anyio

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["LoopWatchdog"]


@final
class LoopWatchdog:
    """Reports `on_block(label, seconds)` when the loop is blocked > `threshold`.

    Args:
        labels: the names of the replica tasks to report.
        on_block: called from the watchdog thread when a block ends or is
            first seen, with the replica label (or None) and how long so far.
        threshold: seconds of blocking that count.
    """

    def __init__(
        self,
        labels: frozenset[str],
        on_block: Callable[[str | None, float], None],
        *,
        threshold: float = 0.1,
    ) -> None:
        self._labels = labels
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_block = on_block
        self._threshold = threshold
        self._beat = time.monotonic()
        self._done = threading.Event()

    async def run(self) -> None:
        """Beat until cancelled, with the checking thread alive meanwhile."""
        self._loop = asyncio.get_running_loop()
        thread = threading.Thread(target=self._watch, name="sandbox-watchdog", daemon=True)
        thread.start()
        try:
            while True:
                self._beat = time.monotonic()
                await anyio.sleep(self._threshold / 4)
        finally:
            self._done.set()

    def _watch(self) -> None:
        reported = False
        while not self._done.wait(self._threshold / 4):
            blocked = time.monotonic() - self._beat
            if blocked <= self._threshold:
                reported = False
                continue
            if not reported:
                reported = True
                self._on_block(self._culprit(), blocked)

    def _culprit(self) -> str | None:
        task = asyncio.current_task(self._loop) if self._loop is not None else None
        name = task.get_name() if task is not None else None
        return name if name in self._labels else None
