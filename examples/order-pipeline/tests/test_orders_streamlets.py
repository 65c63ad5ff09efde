"""Unit tests of the order streamlets, each on the real runtime through the testkit."""

from __future__ import annotations

import msgspec
from orders.streamlets import Alert, BurstDetector, Dedupe, Item, Order, RawOrder, parse

from sandbox.testkit import Duplicate, FakeClock, fail_at, open_streamlet, run_streamlet


def order(id: str, customer: str = "ann") -> Order:
    return Order(id=id, customer=customer, items=[Item(sku="tea", quantity=2, price=3.5)])


def raw(o: Order) -> RawOrder:
    return RawOrder(line=msgspec.json.encode(o).decode())


async def test_parse_decodes_each_line() -> None:
    result = await run_streamlet(parse, inputs={"in": [raw(order("1")), raw(order("2"))]})
    assert result["out"] == [order("1"), order("2")]
    assert result.records("out", Order)[0].total == 7.0


async def test_parse_dead_letters_a_malformed_line() -> None:
    result = await run_streamlet(
        parse, on_error="dead-letter", inputs={"in": [RawOrder(line="{"), raw(order("1"))]}
    )
    assert result["out"] == [order("1")]
    assert [d.error_type for d in result.dead_letters] == ["DecodeError"]


async def test_dedupe_forwards_each_order_once_even_when_the_edge_duplicates() -> None:
    orders = [order(str(i)) for i in range(4)]
    result = await run_streamlet(Dedupe, inputs={"in": orders}, faults={"in": Duplicate(every=2)})
    assert result["out"] == orders
    assert result.statistics.records_in == {"in": 6}


async def test_parse_restarts_and_loses_nothing() -> None:
    lines = [raw(order(str(i))) for i in range(3)]
    result = await run_streamlet(fail_at(parse, 2), restart="on-failure", inputs={"in": lines})
    assert [o.id for o in result.records("out", Order)] == ["0", "1", "2"]
    assert result.statistics.restarts == 1


async def test_dedupe_waits_when_downstream_is_slow() -> None:
    async with open_streamlet(Dedupe, demand={"out": 1}) as probe:
        await probe.send_many("in", [order(str(i)) for i in range(4)])
        await probe.wait_blocked("out")
        assert probe.statistics().records_out == {"out": 2}  # 1 taken, 1 in the buffer
        probe.demand("out", None)
        await probe.expect("out", *(order(str(i)) for i in range(4)))


async def test_bursts_are_counted_within_the_window(fake_clock: FakeClock) -> None:
    config = {"window": "10s", "limit": 2}
    async with open_streamlet(BurstDetector, config=config, clock=fake_clock) as probe:
        for i in range(3):
            await probe.send("in", order(str(i)))
            await fake_clock.advance(4)
        await probe.expect("alerts", Alert(customer="ann", orders=3, at=8.0))
        await fake_clock.advance(10)  # the old orders leave the window
        await probe.send("in", order("3"))
        probe.close("in")
        await probe.expect_end("alerts")
