"""The whole order pipeline, in-process, with the feed replaced by test data."""

from __future__ import annotations

from pathlib import Path

import msgspec
from orders.streamlets import Alert, Item, Order, RawOrder

from sandbox.testkit import Duplicate, Runner, run_blueprint

BLUEPRINT = Path(__file__).resolve().parents[1] / "orders.toml"


def line(id: str, customer: str) -> RawOrder:
    order = Order(id=id, customer=customer, items=[Item(sku="tea", quantity=1, price=2.0)])
    return RawOrder(line=msgspec.json.encode(order).decode())


async def test_orders_reach_the_ledger_once_and_bursts_raise_alerts() -> None:
    lines = [line(str(i), "ann") for i in range(5)] + [line("5", "bob")]
    result = await run_blueprint(BLUEPRINT, replace={"feed": lines}, collect=["unique", "alerts"])
    assert [o.id for o in result.records("unique", Order)] == ["0", "1", "2", "3", "4", "5"]
    assert result["alerts"] == [
        Alert(customer="ann", orders=4, at=0.0),
        Alert(customer="ann", orders=5, at=0.0),
    ]
    assert result.messages == ["burst: ann placed 4 orders", "burst: ann placed 5 orders"]


async def test_malformed_lines_end_up_as_dead_letters() -> None:
    result = await run_blueprint(
        BLUEPRINT, replace={"feed": [RawOrder(line="oops"), line("1", "ann")]}, collect=["unique"]
    )
    assert len(result["unique"]) == 1
    assert [d.streamlet for d in result.dead_letters] == ["parse"]


async def test_duplicated_deliveries_are_booked_once() -> None:
    lines = [line(str(i), f"c{i}") for i in range(6)]
    result = await run_blueprint(
        BLUEPRINT, replace={"feed": lines}, collect=["unique"], faults={"orders": Duplicate()}
    )
    assert len(result["unique"]) == 6
    assert result.statistics.streamlets["dedupe"].records_in == {"in": 12}


async def test_the_real_feed_runs_at_full_speed_on_the_fake_clock(sandbox_runner: Runner) -> None:
    result = await sandbox_runner.run_blueprint(
        BLUEPRINT, config={"feed": {"limit": 100, "seed": 3}}, collect=["unique"]
    )
    assert len(result["unique"]) == 100
    assert result.clock.now() >= 99 / 20  # 100 orders at 20 per second, none of it waited for
