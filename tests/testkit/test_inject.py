"""Failure injection: fail_at, and edges that drop, duplicate or delay records."""

from __future__ import annotations

import msgspec
import pytest

from sandbox.testkit import (
    Delay,
    Drop,
    Duplicate,
    FakeClock,
    InjectedFailure,
    StreamletFailedError,
    UnknownPortError,
    fail_at,
    open_streamlet,
    run_streamlet,
)

from .streamlets import Collect, Parse, Upper, Word, digits, double, forever, numbers

WORDS = [Word(text=t) for t in "abc"]
UPPER = [Word(text=t) for t in "ABC"]


async def test_restart_redelivers_the_record_that_failed() -> None:
    result = await run_streamlet(fail_at(Upper, 2), restart="on-failure", inputs={"in": WORDS})
    assert result["out"] == UPPER
    assert result.statistics.restarts == 1
    assert [e["event"] for e in result.events if e.get("streamlet") == "upper"].count(
        "restarting"
    ) == 1


async def test_without_restart_the_injected_failure_fails_the_run() -> None:
    with pytest.raises(
        StreamletFailedError, match=r"InjectedFailure: injected failure at record 2$"
    ) as caught:
        await run_streamlet(fail_at(Upper, 2), inputs={"in": WORDS})
    assert isinstance(caught.value.__cause__, InjectedFailure)


async def test_times_makes_the_same_record_fail_again_until_restarts_run_out() -> None:
    flaky = fail_at(Upper, 2, times=None, exc=ConnectionError)
    result = await run_streamlet(
        flaky, restart="on-failure", max_restarts=3, inputs={"in": WORDS}, raise_on_failure=False
    )
    assert (result.state, result.statistics.restarts) == ("failed", 3)
    assert isinstance(result.error, ConnectionError)
    assert result["out"] == UPPER[:1]


async def test_times_two_fails_twice_then_succeeds() -> None:
    result = await run_streamlet(
        fail_at(double, 1, times=2), restart="always", inputs={"in": [1, 2]}
    )
    assert (result["out"], result.statistics.restarts) == ([2, 4], 2)


async def test_a_given_exception_instance_is_raised() -> None:
    boom = RuntimeError("boom")
    result = await run_streamlet(
        fail_at(double, 1, exc=boom), inputs={"in": [1]}, raise_on_failure=False
    )
    assert result.error is boom


@pytest.mark.parametrize("streamlet", [Parse, digits], ids=["class", "function"])
async def test_the_injected_failure_follows_on_error(streamlet: type) -> None:
    result = await run_streamlet(
        fail_at(streamlet, 2), on_error="dead-letter", inputs={"in": ["1", "2", "3"]}
    )
    assert result["out"] == [1, 3]
    [letter] = result.dead_letters
    assert (letter.error_type, msgspec.msgpack.decode(letter.record)) == ("InjectedFailure", "2")


async def test_skip_drops_only_the_failing_record() -> None:
    result = await run_streamlet(fail_at(Parse, 1), on_error="skip", inputs={"in": ["1", "2"]})
    assert (result["out"], result.statistics.skipped) == ([2], 1)


@pytest.mark.parametrize("streamlet", [numbers, forever], ids=["sync", "async"])
async def test_an_ingress_fails_at_its_nth_record_sent(streamlet: type) -> None:
    result = await run_streamlet(fail_at(streamlet, 3), raise_on_failure=False, stop_after=10)
    assert result["out"] == [1, 2] if streamlet is numbers else [0, 1]
    assert result.state == "failed"


async def test_the_count_is_per_run() -> None:
    flaky = fail_at(double, 2)
    for _ in range(2):
        result = await run_streamlet(flaky, restart="on-failure", inputs={"in": [1, 2]})
        assert result.statistics.restarts == 1


def test_fail_at_checks_its_arguments() -> None:
    with pytest.raises(
        ValueError, match=r"^fail_at\(\) needs n >= 1 and times >= 1 \(or None\), got n=0, times=1$"
    ):
        fail_at(double, 0)


async def test_drop_every_nth_record_of_an_edge() -> None:
    result = await run_streamlet(
        double, inputs={"in": [1, 2, 3, 4, 5, 6]}, faults={"in": Drop(every=3)}
    )
    assert result["out"] == [2, 4, 8, 10]
    assert result.application.streamlets["fault-in"].records_out == {"out": 4}


async def test_drop_chosen_records_of_an_outlet() -> None:
    result = await run_streamlet(
        double, inputs={"in": [1, 2, 3]}, faults={"out": Drop(at=[1], where=lambda r: r == 6)}
    )
    assert result["out"] == [4]


async def test_duplicates_test_idempotency() -> None:
    collect = Collect()
    result = await run_streamlet(
        collect, inputs={"in": [1, 2, 3]}, faults={"in": Duplicate(2, every=2)}
    )
    assert result.statistics.records_in == {"in": 5}
    assert collect.seen == {1, 2, 3}


async def test_delay_holds_records_on_the_clock_and_lets_others_overtake() -> None:
    clock = FakeClock()
    async with open_streamlet(double, clock=clock, faults={"in": Delay(5, at=[1])}) as probe:
        await probe.send_many("in", [1, 2])
        await probe.expect("out", 4)
        await clock.advance(4)
        assert probe.received("out") == [4]
        await clock.advance(1)
        await probe.expect("out", 2)


async def test_delay_everything_in_order_with_autojump() -> None:
    result = await run_streamlet(double, inputs={"in": [1, 2, 3]}, faults={"out": Delay(60)})
    assert result["out"] == [2, 4, 6]
    assert result.clock.now() == 60.0


def test_faults_describe_themselves() -> None:
    assert repr(Drop(every=3, at=[2])) == "Drop(every=3, at=[2])"
    assert repr(Duplicate(where=bool)) == "Duplicate(where=...)"
    with pytest.raises(ValueError, match=r"^Drop\(every=...\) must be >= 1, got 0$"):
        Drop(every=0)


async def test_a_fault_on_an_unknown_port_names_the_ports() -> None:
    with pytest.raises(
        UnknownPortError,
        match=r"^'double' has no port 'inn'; did you mean 'in'\? its ports are 'in' and 'out'$",
    ):
        await run_streamlet(double, faults={"inn": Drop()})
