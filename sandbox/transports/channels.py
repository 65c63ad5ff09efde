"""In-memory channels: writers and readers over bounded per-consumer buffers.

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
from collections import deque
from operator import length_hint
from typing import TYPE_CHECKING, Generic, TypeVar, final

from sandbox.errors import RecordSchemaError
from sandbox.ports import EndOfStream
from sandbox.transports.base import InletEndpoint, OutletEndpoint

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator

    from sandbox.transports.buffer import Buffer

__all__ = ["BATCH_MAX", "Reader", "Route", "Writer"]

T = TypeVar("T")
BATCH_MAX = 512


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

    def __init__(
        self,
        routes: list[Route],
        *,
        batch_max: int = BATCH_MAX,
        schema: type | None = None,
        label: str = "",
    ) -> None:
        self.routes = routes
        self._schema = schema
        self._label = label
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
        if not self._scheduled:  # the first record of a batch: check its type
            if self._schema is not None and not isinstance(record, self._schema):
                raise RecordSchemaError(self._label, record, self._schema)
            self._schedule()
        pending.append(record)
        if len(pending) >= self._limit:
            return self.flush()
        return self._ready

    async def send_many(self, records: Iterable[T]) -> None:
        """Send records in order."""
        start = len(self._pending)
        self._pending.extend(records)
        if self._schema is not None and len(self._pending) > start:
            first = self._pending[start]  # one record per call: cheap, catches the usual slip
            if not isinstance(first, self._schema):
                del self._pending[start:]
                raise RecordSchemaError(self._label, first, self._schema)
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
