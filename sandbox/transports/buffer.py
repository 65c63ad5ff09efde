"""The bounded buffer of one consumer replica on one topic.

Synchronous on the hot path: `offer` and `take` never await. A blocked
producer waits in `put` and is woken once the buffer has drained to its
low-water mark (half the capacity), not on every take.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import final

from sandbox.errors import SandboxError

__all__ = ["Buffer", "BufferOverflowError"]


class BufferOverflowError(SandboxError):
    """A topic with `overflow = "fail"` received more than its capacity."""


@final
class Buffer:
    """The bounded buffer of one consumer replica on one topic.

    Args:
        capacity: the bound, in records.
        writers: how many producer replicas write here; the buffer ends
            when all of them have closed and it is drained.
        overflow: what `offer` does when full: "block" refuses (the
            producer waits), "drop-oldest"/"drop-newest" drop, "fail" raises.
    """

    __slots__ = (
        "_getter",
        "_loop",
        "_putters",
        "batches",
        "blocked_seconds",
        "capacity",
        "detached",
        "discarded",
        "dropped",
        "label",
        "low",
        "overflow",
        "size",
        "writers",
    )

    def __init__(
        self, capacity: int, writers: int, overflow: str = "block", label: str = ""
    ) -> None:
        self.capacity = capacity
        self.low = capacity // 2
        self.writers = writers
        self.overflow = overflow
        self.label = label
        self.batches: deque[list[object]] = deque()
        self.size = 0
        self.dropped = 0
        self.discarded = 0
        self.detached = False
        self.blocked_seconds = 0.0
        self._getter: asyncio.Future[None] | None = None
        self._putters: deque[asyncio.Future[None]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def ended(self) -> bool:
        """All writers closed and nothing left."""
        return self.writers <= 0 and not self.batches

    def offer(self, batch: list[object], *, force: bool = False) -> bool:
        """Append `batch` if it fits (or `force`); False means wait and retry."""
        if self.detached:
            self.discarded += len(batch)
            return True
        if self.size + len(batch) > self.capacity and not force:
            if self.overflow == "block":
                return False
            batch = self._overflow(batch)
            if not batch:
                return True
        self.batches.append(batch)
        self.size += len(batch)
        getter = self._getter
        if getter is not None:
            self._getter = None
            if not getter.done():
                getter.set_result(None)
        return True

    def _overflow(self, batch: list[object]) -> list[object]:
        room = max(self.capacity - self.size, 0)
        if self.overflow == "drop-newest":
            self.dropped += len(batch) - room
            return batch[:room]
        if self.overflow == "drop-oldest":
            excess = self.size + len(batch) - self.capacity
            while excess > 0 and self.batches:
                head = self.batches[0]
                cut = min(excess, len(head))
                self.batches[0] = head[cut:]
                if not self.batches[0]:
                    self.batches.popleft()
                self.size -= cut
                self.dropped += cut
                excess -= cut
            if excess > 0:
                self.dropped += excess
                return batch[excess:]
            return batch
        msg = f"topic buffer {self.label} is full ({self.capacity} records) and overflow is 'fail'"
        raise BufferOverflowError(msg)

    async def put(self, batch: list[object]) -> None:
        """Append `batch`, waiting while the buffer is full."""
        while not self.offer(batch):
            loop = self._loop or asyncio.get_running_loop()
            self._loop = loop
            waiter = loop.create_future()
            self._putters.append(waiter)
            started = time.perf_counter()
            try:
                await waiter
            finally:
                self.blocked_seconds += time.perf_counter() - started

    def take(self) -> list[object] | None:
        """The oldest batch, or None when empty; wakes producers at low water."""
        if not self.batches:
            return None
        batch = self.batches.popleft()
        self.size -= len(batch)
        if self._putters and self.size <= self.low:
            self._wake_putters()
        return batch

    def _wake_putters(self) -> None:
        putters = self._putters
        while putters:
            waiter = putters.popleft()
            if not waiter.done():
                waiter.set_result(None)

    async def wait(self) -> bool:
        """Wait until a batch is there (True) or the buffer has ended (False)."""
        while not self.batches:
            if self.writers <= 0:
                return False
            loop = self._loop or asyncio.get_running_loop()
            self._loop = loop
            waiter = loop.create_future()
            self._getter = waiter
            try:
                await waiter
            finally:
                if self._getter is waiter:
                    self._getter = None
        return True

    def unget(self, batch: list[object]) -> None:
        """Put records back at the front (redelivery after a restart)."""
        if batch:
            self.batches.appendleft(batch)
            self.size += len(batch)

    def close_writer(self) -> None:
        """One producer replica has finished."""
        self.writers -= 1
        if self.writers <= 0:
            getter, self._getter = self._getter, None
            if getter is not None and not getter.done():
                getter.set_result(None)

    def detach(self) -> int:
        """The consumer replica has finished: discard what comes, release producers.

        Returns how many buffered records it never received.
        """
        self.detached = True
        lost = self.size
        self.discarded += lost
        self.batches.clear()
        self.size = 0
        self._wake_putters()
        return lost

    def clear(self) -> int:
        """Drop everything (cancellation); return how many records were dropped."""
        lost = self.size
        self.batches.clear()
        self.size = 0
        self._wake_putters()
        return lost
