"""In-memory channels: Buffer, Route, Writer and Reader on a real event loop."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from sandbox import EndOfStream
from sandbox.transports.buffer import Buffer, BufferOverflowError
from sandbox.transports.channels import (
    Reader,
    Route,
    Writer,
)


async def settle() -> None:
    """Let every ready task and callback run (a few loop turns, no wall-clock time)."""
    for _ in range(5):
        await anyio.lowlevel.checkpoint()


def contents(buffer: Buffer) -> list[object]:
    return [record for batch in buffer.batches for record in batch]


# --- Buffer ------------------------------------------------------------------------


def test_offer_appends_batches_in_order_until_full() -> None:
    buffer = Buffer(4, writers=1)

    assert buffer.offer([1, 2])
    assert buffer.offer([3])
    assert not buffer.offer([4, 5])  # would exceed 4: the producer must wait

    assert contents(buffer) == [1, 2, 3]
    assert buffer.size == 3
    assert buffer.take() == [1, 2]
    assert buffer.take() == [3]
    assert buffer.take() is None
    assert buffer.size == 0


def test_forced_offer_may_exceed_capacity() -> None:
    buffer = Buffer(2, writers=1)
    buffer.offer([1, 2])

    assert buffer.offer([3], force=True)
    assert buffer.size == 3


@pytest.mark.parametrize(
    ("overflow", "kept", "dropped"),
    [
        pytest.param("drop-newest", [1, 2, 3], 2, id="drop-newest"),
        pytest.param("drop-oldest", [3, 4, 5], 2, id="drop-oldest"),
    ],
)
def test_drop_policies_keep_capacity_records(overflow: str, kept: list[int], dropped: int) -> None:
    buffer = Buffer(3, writers=1, overflow=overflow)
    buffer.offer([1, 2])

    assert buffer.offer([3, 4, 5])

    assert contents(buffer) == kept
    assert (buffer.size, buffer.dropped) == (3, dropped)


def test_drop_oldest_keeps_the_tail_of_a_batch_larger_than_capacity() -> None:
    buffer = Buffer(3, writers=1, overflow="drop-oldest")
    buffer.offer([1])

    buffer.offer([2, 3, 4, 5, 6])

    assert contents(buffer) == [4, 5, 6]
    assert buffer.dropped == 3


def test_drop_oldest_trims_across_several_batches() -> None:
    buffer = Buffer(4, writers=1, overflow="drop-oldest")
    buffer.offer([1])
    buffer.offer([2, 3])
    buffer.offer([4])

    buffer.offer([5, 6, 7])

    assert contents(buffer) == [4, 5, 6, 7]
    assert buffer.dropped == 3


def test_overflow_fail_raises_and_leaves_the_buffer_unchanged() -> None:
    buffer = Buffer(2, writers=1, overflow="fail", label="t -> sink.in[0]")
    buffer.offer([1, 2])

    with pytest.raises(
        BufferOverflowError,
        match=r"^topic buffer t -> sink\.in\[0\] is full \(2 records\) and overflow is 'fail'$",
    ):
        buffer.offer([3])
    assert contents(buffer) == [1, 2]


async def test_put_waits_until_the_buffer_drains_to_half() -> None:
    buffer = Buffer(6, writers=1)
    for record in range(6):
        buffer.offer([record])
    done = anyio.Event()

    async def put() -> None:
        await buffer.put([6])
        done.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(put)
        await settle()
        assert not done.is_set()
        buffer.take()
        buffer.take()
        await settle()
        assert not done.is_set()  # 4 left: above the low-water mark of 3
        buffer.take()
        with anyio.fail_after(1):
            await done.wait()

    assert contents(buffer) == [3, 4, 5, 6]
    assert buffer.blocked_seconds > 0


async def test_wait_returns_true_when_a_batch_arrives() -> None:
    buffer = Buffer(4, writers=1)
    results: list[bool] = []

    async def wait() -> None:
        results.append(await buffer.wait())

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait)
        await settle()
        assert results == []
        buffer.offer([1])

    assert results == [True]


async def test_wait_returns_false_once_every_writer_closed_and_the_buffer_is_drained() -> None:
    buffer = Buffer(4, writers=2)
    buffer.offer([1])
    results: list[bool] = []

    async def drain() -> None:
        while await buffer.wait():
            buffer.take()
        results.append(False)

    async with anyio.create_task_group() as tg:
        tg.start_soon(drain)
        await settle()
        buffer.close_writer()
        await settle()
        assert results == []  # one writer is still open
        assert not buffer.ended
        buffer.close_writer()

    assert results == [False]
    assert buffer.ended


def test_unget_puts_records_back_at_the_front() -> None:
    buffer = Buffer(4, writers=1)
    buffer.offer([3, 4])

    buffer.unget([1, 2])
    buffer.unget([])

    assert contents(buffer) == [1, 2, 3, 4]
    assert buffer.size == 4


async def test_clear_drops_everything_and_releases_blocked_producers() -> None:
    buffer = Buffer(2, writers=1)
    buffer.offer([1, 2])
    done = anyio.Event()

    async def put() -> None:
        await buffer.put([3])
        done.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(put)
        await settle()
        assert buffer.clear() == 2
        with anyio.fail_after(1):
            await done.wait()

    assert contents(buffer) == [3]


async def test_detach_discards_later_records_and_releases_blocked_producers() -> None:
    buffer = Buffer(2, writers=1)
    buffer.offer([1, 2])
    done = anyio.Event()

    async def put() -> None:
        await buffer.put([3])
        done.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(put)
        await settle()
        assert buffer.detach() == 2  # the consumer finished without reading them
        with anyio.fail_after(1):
            await done.wait()

    assert buffer.offer([4, 5, 6])
    assert (buffer.size, buffer.discarded) == (0, 6)


# --- Route -------------------------------------------------------------------------


def test_route_to_one_replica_passes_the_batch_whole() -> None:
    buffer = Buffer(4, writers=1)
    route = Route([buffer], key=lambda r: r)
    batch: list[object] = [1, 2, 3]

    assert route.split(batch) == [(buffer, batch)]


def test_keyed_route_sends_equal_keys_to_the_same_replica_in_order() -> None:
    buffers = [Buffer(100, writers=1) for _ in range(3)]
    route = Route(buffers, key=lambda r: r[0])  # type: ignore[index]  # records are tuples here
    records: list[object] = [(k, i) for i in range(10) for k in "abcde"]

    for buffer, part in route.split(records[:25]) + route.split(records[25:]):
        buffer.offer(part)

    where: dict[str, int] = {}
    for index, buffer in enumerate(buffers):
        seen = contents(buffer)
        for key in {r[0] for r in seen}:  # type: ignore[index]
            assert where.setdefault(key, index) == index
            assert [r for r in seen if r[0] == key] == [(key, i) for i in range(10)]  # type: ignore[index]
    assert sorted(where) == list("abcde")
    assert sum(b.size for b in buffers) == 50


def test_unkeyed_route_rotates_batches_over_replicas() -> None:
    buffers = [Buffer(10, writers=1) for _ in range(3)]
    route = Route(buffers, key=None)

    targets = [route.split([n])[0][0] for n in range(6)]

    assert targets == buffers + buffers


def test_route_room_is_that_of_the_fullest_replica() -> None:
    buffers = [Buffer(5, writers=1), Buffer(5, writers=1)]
    buffers[1].offer([1, 2, 3])

    assert Route(buffers, key=None).room() == 2


# --- Writer ------------------------------------------------------------------------


async def test_send_hands_a_record_over_on_the_next_loop_turn() -> None:
    buffer = Buffer(8, writers=1)
    writer: Writer[int] = Writer([Route([buffer], None)])

    await writer.send(1)
    await writer.send(2)

    assert (buffer.size, writer.pending, writer.sent) == (0, 2, 0)
    await anyio.lowlevel.checkpoint()
    assert contents(buffer) == [1, 2]
    assert (writer.pending, writer.sent) == (0, 2)


async def test_send_hands_over_a_full_batch_at_once() -> None:
    buffer = Buffer(8, writers=1)
    writer: Writer[int] = Writer([Route([buffer], None)], batch_max=3)

    for record in range(4):
        await writer.send(record)

    assert buffer.batches[0] == [0, 1, 2]
    assert writer.pending == 1


async def test_batches_never_exceed_the_smallest_capacity() -> None:
    small, large = Buffer(2, writers=1), Buffer(100, writers=1)
    writer: Writer[int] = Writer([Route([small], None), Route([large], None)])

    await writer.send(1)
    await writer.send(2)

    # Each consumer gets every record, as soon as the smaller one's batch is full.
    assert (contents(small), contents(large)) == ([1, 2], [1, 2])


async def test_send_waits_while_the_buffer_is_full() -> None:
    buffer = Buffer(2, writers=1)
    writer: Writer[int] = Writer([Route([buffer], None)])
    sent: list[int] = []

    async def produce() -> None:
        for record in range(5):
            await writer.send(record)
            sent.append(record)
        await writer.flush()

    async with anyio.create_task_group() as tg:
        tg.start_soon(produce)
        await settle()
        assert sent == [0, 1]
        assert contents(buffer) == [0, 1]
        received: list[object] = []
        while len(received) < 5:
            batch = buffer.take()
            if batch is None:
                await settle()
                continue
            received += batch
            assert buffer.size <= 2

    assert received == [0, 1, 2, 3, 4]


async def test_send_many_keeps_order_across_batches() -> None:
    buffer = Buffer(100, writers=1)
    writer: Writer[int] = Writer([Route([buffer], None)], batch_max=4)

    await writer.send_many(range(10))
    await writer.flush()

    assert [len(b) for b in buffer.batches] == [4, 4, 2]
    assert contents(buffer) == list(range(10))
    assert writer.sent == 10


async def test_close_ends_the_consumers_inlet_after_it_drains() -> None:
    buffer = Buffer(8, writers=1)
    writer: Writer[int] = Writer([Route([buffer], None)])
    reader: Reader[int] = Reader(buffer)

    await writer.send(1)
    await writer.flush()
    writer.close()

    with anyio.fail_after(1):
        assert [r async for r in reader] == [1]


# --- Reader ------------------------------------------------------------------------


def _reader(*batches: list[object], writers: int = 0) -> Reader[int]:
    buffer = Buffer(100, writers=1)
    for batch in batches:
        buffer.offer(batch)
    for _ in range(1 - writers):
        buffer.close_writer()
    return Reader(buffer)


async def test_iteration_yields_every_record_in_order_and_counts_them() -> None:
    reader = _reader([1, 2], [3], [4, 5, 6])

    with anyio.fail_after(1):
        assert [r async for r in reader] == [1, 2, 3, 4, 5, 6]
    assert reader.received == 6


async def test_receive_returns_records_one_by_one_then_raises_end_of_stream() -> None:
    reader = _reader([1, 2], [3])

    assert [await reader.receive() for _ in range(3)] == [1, 2, 3]
    with pytest.raises(EndOfStream):
        await reader.receive()
    assert reader.received == 3


async def test_receive_batch_with_a_limit_leaves_the_rest_in_the_buffer() -> None:
    reader = _reader([1, 2, 3, 4])

    assert await reader.receive_batch(3) == [1, 2, 3]
    assert await reader.receive_batch() == [4]
    assert await reader.receive_batch() is None
    assert reader.received == 4


async def test_receive_waits_for_a_record() -> None:
    buffer = Buffer(4, writers=1)
    reader: Reader[int] = Reader(buffer)
    got: list[int] = []

    async def consume() -> None:
        got.append(await reader.receive())

    async with anyio.create_task_group() as tg:
        tg.start_soon(consume)
        await settle()
        assert got == []
        buffer.offer([7])

    assert got == [7]


async def test_requeue_during_iteration_redelivers_the_current_and_later_records() -> None:
    reader = _reader([1, 2, 3, 4], [5])

    async for record in reader:
        if record == 2:
            break
    assert reader.requeue() == 3  # a failure while handling 2: 2, 3 and 4 come back

    assert [r async for r in reader] == [2, 3, 4, 5]
    assert reader.received == 5


async def test_requeue_after_receive_redelivers_the_received_record() -> None:
    reader = _reader([1, 2, 3])

    assert await reader.receive() == 1
    assert await reader.receive() == 2
    assert reader.requeue() == 1

    assert [r async for r in reader] == [2, 3]


async def test_hold_and_done_mark_a_batch_for_redelivery() -> None:
    reader = _reader([1, 2], [3])

    batch = await reader.receive_batch()
    assert batch is not None
    reader.hold(batch)
    assert reader.requeue() == 2
    assert reader.received == 0

    batch = await reader.receive_batch()
    assert batch == [1, 2]
    reader.hold(batch)
    reader.done()
    assert reader.requeue() == 0
    assert await reader.receive_batch() == [3]


async def test_a_new_loop_continues_where_a_broken_loop_stopped() -> None:
    reader = _reader([1, 2, 3, 4], [5])

    async for record in reader:
        if record == 2:
            break

    assert [r async for r in reader] == [3, 4, 5]
    assert reader.received == 5


async def test_release_gives_back_the_records_a_stopped_loop_never_saw() -> None:
    reader = _reader([1, 2, 3, 4])

    async for record in reader:
        if record == 2:
            break

    assert reader.release() == 2
    assert reader.release() == 0
    assert reader.received == 2
    assert reader.buffer.size == 2
    assert [r async for r in reader] == [3, 4]


async def test_receive_after_a_broken_loop_continues_with_the_next_record() -> None:
    reader = _reader([1, 2, 3])

    async for _ in reader:
        break

    assert await reader.receive() == 2
    assert [r async for r in reader] == [3]


async def test_receive_inside_a_loop_takes_the_next_record_once() -> None:
    reader = _reader([1, 2, 3, 4, 5], [6, 7, 8])

    pairs = [(first, await reader.receive()) async for first in reader]

    assert pairs == [(1, 2), (3, 4), (5, 6), (7, 8)]
