"""open_streamlet: a probe sends, receives, expects, limits demand and waits."""

from __future__ import annotations

import anyio
import pytest

from sandbox import DeadLetter
from sandbox.testkit import (
    FakeClock,
    PortClosedError,
    RecordTypeError,
    StreamEndedError,
    StreamletFailedError,
    TestkitError,
    TestkitTimeoutError,
    UnknownPortError,
    open_streamlet,
)

from .streamlets import Merge, Parse, Split, Stuck, Ticker, Timeout, Upper, Word, double


async def test_send_and_receive_one_record_at_a_time() -> None:
    async with open_streamlet(Upper) as probe:
        await probe.send("in", Word(text="a"))
        assert await probe.receive("out") == Word(text="A")
        await probe.send("in", Word(text="b"))
        assert (await probe.receive("out", Word)).text == "B"
        assert probe.received("out") == [Word(text="A"), Word(text="B")]
        assert probe.instance.seen == ["a", "b"]  # type: ignore[attr-defined]


async def test_expect_several_records_in_order() -> None:
    async with open_streamlet(double) as probe:
        await probe.send_many("in", [1, 2, 3])
        await probe.expect("out", 2, 4, 6)


async def test_expect_shows_the_differing_fields() -> None:
    async with open_streamlet(Upper) as probe:
        await probe.send("in", Word(text="a", source="x"))
        with pytest.raises(AssertionError) as caught:
            await probe.expect("out", Word(text="B", source="x"))
    assert str(caught.value) == (
        "record 1 of outlet 'out' of 'upper' differs:\n  Word.text: expected 'B', got 'A'"
    )


async def test_close_ends_the_inlet_and_the_streamlet_completes() -> None:
    async with open_streamlet(Merge) as probe:
        await probe.send("left", 1)
        probe.close("left")
        await probe.send("right", 2)
        probe.close()
        await probe.expect("out", 1, -2)
        await probe.expect_end("out")
        result = await probe.completed()
    assert result["out"] == [1, -2]
    assert result.state == "completed"
    assert probe.state == "completed"


async def test_expect_end_lists_records_that_still_came() -> None:
    async with open_streamlet(double) as probe:
        await probe.send("in", 1)
        probe.close("in")
        with pytest.raises(AssertionError, match=r"sent more records, expected its end: int 2$"):
            await probe.expect_end("out")


async def test_receive_after_the_end_says_so() -> None:
    async with open_streamlet(double) as probe:
        probe.close("in")
        with pytest.raises(
            StreamEndedError, match=r"^outlet 'out' of 'double' ended after 0 records"
        ):
            await probe.receive("out")


async def test_demand_holds_the_streamlet_back() -> None:
    async with open_streamlet(Split, demand={"even": 1}) as probe:
        await probe.send_many("in", [2, 4, 6, 8, 1])
        await probe.wait_blocked("even")
        assert probe.blocked("even")
        assert probe.received("even") == [2]
        assert probe.statistics().records_out == {"even": 2, "odd": 0}
        probe.demand("even", 1)
        await probe.expect("even", 2, 4)
        probe.demand("even", None)
        await probe.expect("even", 6, 8)
        await probe.expect("odd", 1)
        assert not probe.blocked("even")


async def test_demand_zero_lets_nothing_through() -> None:
    async with open_streamlet(double, demand={"out": 0}) as probe:
        await probe.send_many("in", [1, 2, 3])
        await probe.wait_blocked("out")
        assert probe.received("out") == []


async def test_demand_needs_an_outlet_opened_with_one() -> None:
    async with open_streamlet(double) as probe:
        with pytest.raises(TestkitError, match=r"open the streamlet with demand=\{'out': 0\}"):
            probe.demand("out", 1)
        with pytest.raises(ValueError, match=r"demand must be >= 0 or None, got -1"):
            probe.demand("out", -1)


async def test_wait_blocked_times_out_with_what_the_streamlet_waits_for() -> None:
    async with open_streamlet(double, demand={"out": 5}, timeout=0.05) as probe:
        await probe.send("in", 1)
        with pytest.raises(TestkitTimeoutError) as caught:
            await probe.wait_blocked("out")
    assert str(caught.value) == (
        "open_streamlet(double) timed out after 0.05 s waiting for the streamlet to block "
        "sending on outlet 'out'; still waiting:\n"
        "  - streamlet 'double' (replica 0) is running: waiting for records on inlet 'in' "
        "(its producer is still open)\n"
        "  - inlet 'in' is still open: the streamlet may wait for more; end it with "
        "probe.close('in')"
    )


async def test_receive_times_out_naming_the_used_up_demand() -> None:
    async with open_streamlet(double, demand={"out": 0}, timeout=0.05) as probe:
        await probe.send("in", 1)
        with pytest.raises(
            TestkitTimeoutError,
            match=r"its demand is used up; grant more with probe.demand\('out', n\)",
        ):
            await probe.receive("out")
        probe.demand("out", None)


async def test_send_waits_for_room_and_times_out_when_none_comes() -> None:
    async with open_streamlet(Stuck, capacity={"in": 2}, timeout=0.05) as probe:
        await probe.send_many("in", [1, 2])
        with pytest.raises(
            TestkitTimeoutError,
            match=(
                r"waiting for room in the buffer of inlet 'in'; still waiting:\n  - streamlet"
                r" 'stuck' \(replica 0\) is running: 2 records wait on inlet 'in'"
            ),
        ):
            await probe.send("in", 3)


async def test_sending_after_close_is_an_error() -> None:
    async with open_streamlet(double) as probe:
        probe.close("in")
        with pytest.raises(
            PortClosedError,
            match=(
                r"^inlet 'in' of 'double' was closed with close\(\); send records before"
                r" closing it$"
            ),
        ):
            await probe.send("in", 1)


async def test_wrong_type_names_the_port_and_the_expected_type() -> None:
    async with open_streamlet(Upper) as probe:
        with pytest.raises(
            RecordTypeError, match=r"^inlet 'in' of 'upper' expects Word, got str 'a'$"
        ):
            await probe.send("in", "a")


async def test_unknown_ports_suggest_the_close_names() -> None:
    async with open_streamlet(Split) as probe:
        with pytest.raises(
            UnknownPortError,
            match=(
                r"^'split' has no outlet 'evn'; did you mean 'even'\? its outlets are 'even"
                r"' and 'odd'$"
            ),
        ):
            await probe.receive("evn")
        with pytest.raises(
            UnknownPortError,
            match=r"^'in' is an inlet of 'split', not an outlet; its outlets are 'even' and 'odd'$",
        ):
            await probe.receive("in")
        with pytest.raises(UnknownPortError, match=r"^'split' has no inlet 'inn'"):
            probe.close("inn")


async def test_received_type_can_be_checked() -> None:
    async with open_streamlet(double) as probe:
        await probe.send("in", 1)
        with pytest.raises(
            RecordTypeError, match=r"^outlet 'out' of 'double' sent int 2, not str$"
        ):
            await probe.receive("out", str)


async def test_a_failure_surfaces_in_the_next_call() -> None:
    async with open_streamlet(Parse) as probe:
        await probe.send("in", "x")
        with pytest.raises(StreamletFailedError, match=r"ValueError: invalid literal for int"):
            await probe.receive("out")


async def test_a_failure_the_test_did_not_see_is_raised_at_the_end() -> None:
    with pytest.raises(StreamletFailedError, match=r"^streamlet 'parse' \(replica 0\) failed"):
        async with open_streamlet(Parse) as probe:
            await probe.send("in", "x")


async def test_an_error_in_the_block_stops_the_run() -> None:
    with anyio.fail_after(1), pytest.raises(KeyError, match="boom"):
        async with open_streamlet(Stuck):
            raise KeyError("boom")


async def test_dead_letters_are_an_outlet_of_the_probe() -> None:
    async with open_streamlet(Parse, on_error="dead-letter") as probe:
        await probe.send_many("in", ["1", "x"])
        await probe.expect("out", 1)
        letter = await probe.receive("dead-letters", DeadLetter)
        assert letter.message == "invalid literal for int() with base 10: 'x'"
        assert probe.dead_letters == [letter]


async def test_time_moves_only_when_the_test_advances_the_clock() -> None:
    clock = FakeClock()
    async with open_streamlet(Timeout, clock=clock) as probe:
        await probe.send("in", "a")
        probe.close("in")
        await probe.expect("out", "a")
        await clock.advance(9)
        assert probe.received("out") == ["a"]
        await clock.advance(1)
        await probe.expect("out", "late")


async def test_stop_ends_an_ingress_under_test() -> None:
    async with open_streamlet(Ticker, config={"count": None}) as probe:
        assert await probe.receive("out") == 0.0
        await probe.clock.advance(1)  # type: ignore[attr-defined]
        assert await probe.receive("out") == 1.0
        probe.stop()
        await probe.clock.advance(1)  # type: ignore[attr-defined]
        result = await probe.completed()
    assert result["out"] == [0.0, 1.0]


async def test_inputs_feed_some_inlets_while_the_probe_drives_others() -> None:
    async with open_streamlet(Merge, inputs={"left": [1, 2]}) as probe:
        await probe.expect("out", 1, 2)
        await probe.send("right", 3)
        await probe.expect("out", -3)
        with pytest.raises(PortClosedError):
            await probe.send("left", 9)


async def test_restarts_make_new_objects_and_the_probe_lists_them() -> None:
    from sandbox.testkit import fail_at

    async with open_streamlet(fail_at(Upper, 2), restart="on-failure") as probe:
        await probe.send_many("in", [Word(text="a"), Word(text="b")])
        await probe.expect("out", Word(text="A"), Word(text="B"))
        assert len(probe.instances) == 2
        assert probe.statistics().restarts == 1


async def test_the_end_of_the_block_wakes_sleepers_on_the_fake_clock() -> None:
    clock = FakeClock()
    async with open_streamlet(Timeout, clock=clock) as probe:
        await probe.send("in", "a")
        await probe.expect("out", "a")
    assert probe.received("out") == ["a", "late"]
    assert (clock.now(), clock.autojump) == (10.0, False)
