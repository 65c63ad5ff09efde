"""The blocked-event-loop watchdog: names the streamlet whose code holds the loop.

A task on the loop records a heartbeat every few milliseconds; a daemon
thread checks it. When the heartbeat is older than the threshold, the
thread looks at the loop thread's stack to find which replica is running
(the frame of `Runtime._attempt`) and reports it once per blocking episode.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, final

import anyio

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType, FrameType

__all__ = ["LoopWatchdog"]


@final
class LoopWatchdog:
    """Reports `on_block(label, seconds)` when the loop is blocked > `threshold`.

    Args:
        marker: the code object of the function whose frame names the replica
            (a local `slot` with a `label`).
        on_block: called from the watchdog thread when a block ends or is
            first seen, with the replica label (or None) and how long so far.
        threshold: seconds of blocking that count.
    """

    def __init__(
        self,
        marker: CodeType,
        on_block: Callable[[str | None, float], None],
        *,
        threshold: float = 0.1,
    ) -> None:
        self._marker = marker
        self._on_block = on_block
        self._threshold = threshold
        self._beat = time.monotonic()
        self._loop_thread = threading.get_ident()
        self._done = threading.Event()

    async def run(self) -> None:
        """Beat until cancelled, with the checking thread alive meanwhile."""
        self._loop_thread = threading.get_ident()
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
        frame: FrameType | None = sys._current_frames().get(self._loop_thread)
        while frame is not None:
            if frame.f_code is self._marker:
                slot = frame.f_locals.get("slot")
                label = getattr(slot, "label", None)
                return label if isinstance(label, str) else None
            frame = frame.f_back
        return None
