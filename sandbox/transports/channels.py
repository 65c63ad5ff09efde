"""In-memory channels: bounded per-consumer buffers of record batches.

The hot path is synchronous: `Buffer.offer` and `Buffer.take` never await.
Tasks await only to block: a consumer on an empty buffer, a producer on a
full one. A blocked producer is woken once the buffer has drained to its
low-water mark (half the capacity), not on every take, so a slow consumer
does not cost a wake-up per record.

Records move in batches (lists), invisibly to user code: a `Writer`
collects what a streamlet sends and hands the batch over when it is full,
or, at the latest, on the next turn of the event loop (a `call_soon` flush),
so a record is never held back waiting for more.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from operator import length_hint
from typing import TYPE_CHECKING, Generic, TypeVar, final

from sandbox.errors import SandboxError
from sandbox.ports import EndOfStream
from sandbox.transports.base import InletEndpoint, OutletEndpoint

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator

__all__ = ["Buffer", "BufferOverflowError", "Reader", "Route", "Writer"]

T = TypeVar("T")
BATCH_MAX = 512


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


@final
class Route:
    """Where one outlet's records go for one consuming streamlet (all its replicas)."""

    __slots__ = ("_next", "buffers", "key")

    def __init__(self, buffers: list[Buffer], key: Callable[[object], object] | None) -> None:
        self.buffers = buffers
        self.key = key if len(buffers) > 1 else None
        self._next = 0

    def room(self) -> int:
        """How many records fit in the fullest replica buffer."""
        return min(b.capacity - b.size for b in self.buffers)

    def split(self, batch: list[object]) -> list[tuple[Buffer, list[object]]]:
        """Which part of `batch` goes to which replica buffer."""
        buffers = self.buffers
        if len(buffers) == 1:
            return [(buffers[0], batch)]
        if self.key is None:  # round-robin, batch by batch
            buffer = buffers[self._next]
            self._next = (self._next + 1) % len(buffers)
            return [(buffer, batch)]
        parts: list[list[object]] = [[] for _ in buffers]
        key, n = self.key, len(buffers)
        for record in batch:
            parts[hash(key(record)) % n].append(record)
        return [(buffers[i], part) for i, part in enumerate(parts) if part]


class Writer(OutletEndpoint[T], Generic[T]):
    """The running side of an outlet for one producer replica."""

    def __init__(self, routes: list[Route], *, batch_max: int = BATCH_MAX) -> None:
        self.routes = routes
        self.sent = 0
        self._batch_max = max(1, min([batch_max, *(b.capacity for r in routes for b in r.buffers)]))
        self._limit = self._batch_max
        self._pending: list[object] = []
        self._flushing = 0  # records of a `flush` waiting for room
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready: asyncio.Future[None]

    @property
    def pending(self) -> int:
        """Records sent but not yet in a buffer."""
        return len(self._pending) + self._flushing

    def send(self, record: T) -> Awaitable[None]:
        """Send one record; waits only while a consumer's buffer is full.

        Not a coroutine: when the record fits, it returns a future that is
        already done, which `await` passes through without a task switch and
        without creating a coroutine per record.
        """
        pending = self._pending
        pending.append(record)
        if len(pending) >= self._limit:
            return self.flush()
        if not self._scheduled:
            self._schedule()
        return self._ready

    async def send_many(self, records: Iterable[T]) -> None:
        """Send records in order."""
        self._pending.extend(records)
        while len(self._pending) >= self._limit:
            await self.flush()
        if self._pending and not self._scheduled:
            self._schedule()

    def _schedule(self) -> None:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
            self._ready = loop.create_future()
            self._ready.set_result(None)
        self._scheduled = True
        loop.call_soon(self._flush_soon)

    def _flush_soon(self) -> None:
        # The producer yielded to the loop: hand over what it sent so far.
        # Space was reserved by `_limit`, so this stays within capacity
        # unless other producers of a merged topic took the room meanwhile.
        self._scheduled = False
        if self._pending:
            batch, self._pending = self._pending, []
            for route in self.routes:
                for buffer, part in route.split(batch):
                    buffer.offer(part, force=buffer.overflow == "block")
            self.sent += len(batch)
            self._update_limit()

    async def flush(self) -> None:
        """Hand every pending record to the buffers, waiting for room."""
        while self._pending:
            batch = self._pending[: self._limit]
            del self._pending[: len(batch)]
            self._flushing = len(batch)  # still pending if cancelled while waiting
            for route in self.routes:
                for buffer, part in route.split(batch):
                    if not buffer.offer(part):
                        await buffer.put(part)
            self._flushing = 0
            self.sent += len(batch)
            self._update_limit()

    def _update_limit(self) -> None:
        room = min((r.room() for r in self.routes), default=self._batch_max)
        self._limit = max(1, min(self._batch_max, room))

    def close(self) -> None:
        """This producer replica has finished; pending records must be flushed first."""
        for route in self.routes:
            for buffer in route.buffers:
                buffer.close_writer()


class Reader(InletEndpoint[T], Generic[T]):
    """The running side of an inlet for one consumer replica."""

    def __init__(self, buffer: Buffer) -> None:
        self.buffer = buffer
        self.received = 0
        self._batch: list[object] | None = None
        self._iter: Iterator[object] | None = None

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[T]:
        self.release()
        buffer = self.buffer
        while True:
            batch = buffer.take()
            if batch is None:
                if not await buffer.wait():
                    return
                continue
            self.received += len(batch)
            # No per-record bookkeeping: how far the loop got is read off the
            # list iterator (length_hint) when it matters.
            it = iter(batch)
            self._batch, self._iter = batch, it
            for record in it:
                yield record  # type: ignore[misc]  # records are T by verification
            if self._iter is it:
                self._batch = self._iter = None

    def _seen(self, batch: list[object]) -> int:
        """How many records of the current batch the streamlet has been given."""
        it = self._iter
        return 1 if it is None else len(batch) - length_hint(it)

    def release(self) -> int:
        """Put the records after the last one seen back at the front; return how many.

        A loop over the inlet that stopped (`break`, `return`) inside a batch
        has taken records it never saw: the next loop, `receive`, or the
        runtime when the replica returns gives them back, so none is lost.
        """
        batch = self._batch
        if not batch:
            return 0
        rest = batch[self._seen(batch) :]
        if self._iter is not None:
            deque(self._iter, maxlen=0)  # the loop that was reading this batch ends
        self._batch = self._iter = None
        self.buffer.unget(rest)
        self.received -= len(rest)
        return len(rest)

    async def receive(self) -> T:
        """The next record; raises EndOfStream when the inlet has ended."""
        self.release()
        batch = await self.receive_batch(1)
        if batch is None:
            raise EndOfStream
        self.hold(batch)  # redelivered if the replica fails before the next receive
        return batch[0]  # type: ignore[return-value]  # records are T by verification

    async def receive_batch(self, limit: int = 0) -> list[object] | None:
        """The next batch (at most `limit` records if given), or None at the end."""
        buffer = self.buffer
        batch = buffer.take()
        while batch is None:
            if not await buffer.wait():
                return None
            batch = buffer.take()
        if limit and len(batch) > limit:
            buffer.unget(batch[limit:])
            batch = batch[:limit]
        self.received += len(batch)
        return batch

    def hold(self, batch: list[object]) -> None:
        """Mark `batch` as taken but not finished, for `requeue` after a failure."""
        self._batch, self._iter = batch, None

    def done(self) -> None:
        """The held batch is finished."""
        self._batch = self._iter = None

    def close(self) -> int:
        """The consumer replica has finished; later records are discarded."""
        self._batch = self._iter = None
        return self.buffer.detach()

    @property
    def ended(self) -> bool:
        """Every producer has finished and the buffer is drained."""
        return self.buffer.ended

    def requeue(self) -> int:
        """Put back the record being handled and those not yet handled."""
        batch = self._batch
        if not batch:
            return 0
        rest = batch[self._seen(batch) - 1 :]
        if self._iter is not None:
            deque(self._iter, maxlen=0)
        self._batch = self._iter = None
        self.buffer.unget(rest)
        self.received -= len(rest)
        return len(rest)
