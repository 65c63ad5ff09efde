"""Tapping an outlet samples its records, and only while tapped."""

from __future__ import annotations

from sandbox.transports.buffer import Buffer
from sandbox.transports.channels import Route, Writer
from sandbox.view.tap import Tap

from .pace import Tick


def _ticks(start: int, stop: int) -> list[object]:
    return [Tick(n=i, label="t") for i in range(start, stop)]


async def test_a_tap_keeps_the_newest_records_and_the_consumer_still_gets_all() -> None:
    consumer = Buffer(1000, 1)
    writer: Writer[object] = Writer([Route([consumer], None)], batch_max=16)
    tap = Tap([writer], keep=4)

    await writer.send_many(_ticks(0, 40))
    await writer.flush()

    assert tap.sample() == _ticks(36, 40)
    assert tap.seen == 40
    assert consumer.size == 40
    assert writer._limit == 16  # the tap never narrows the writer's batches


async def test_a_closed_tap_sees_nothing_more() -> None:
    consumer = Buffer(1000, 1)
    writer: Writer[object] = Writer([Route([consumer], None)])
    tap = Tap([writer], keep=4)
    tap.close()

    await writer.send_many(_ticks(0, 5))
    await writer.flush()

    assert tap.sample() == []
    assert len(writer.routes) == 1
    assert consumer.size == 5


def test_attach_needs_in_memory_writers() -> None:
    assert Tap.attach([], "out") is None
