"""run_streamlet: one streamlet over finite inputs, on the real runtime."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import msgspec
import pytest

from sandbox import BlueprintError, DeadLetter
from sandbox.testkit import (
    FakeClock,
    RecordTypeError,
    StreamletFailedError,
    TestkitTimeoutError,
    UnknownPortError,
    run_streamlet,
)

from .streamlets import (
    Merge,
    Parse,
    Scale,
    Split,
    Stuck,
    Ticker,
    Upper,
    Word,
    digits,
    discard,
    double,
    explode,
    forever,
    numbers,
    slow_double,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


async def test_processor_outputs_per_outlet_in_order() -> None:
    result = await run_streamlet(Upper, inputs={"in": [Word(text="a"), Word(text="b")]})
    assert result["out"] == [Word(text="A"), Word(text="B")]
    assert result.outputs == {"out": result["out"]}
    assert (result.state, result.ok, result.name) == ("completed", True, "upper")


async def test_inlets_may_be_given_as_keyword_arguments() -> None:
    result = await run_streamlet(Merge, left=[1, 2], right=[3])
    assert result["out"] == [1, 2, -3]


async def test_an_inlet_without_inputs_ends_at_once() -> None:
    result = await run_streamlet(Merge, left=[1])
    assert result["out"] == [1]


async def test_fan_out_collects_every_outlet() -> None:
    result = await run_streamlet(Split, inputs={"in": [1, 2, 3, 4]})
    assert (result["even"], result["odd"]) == ([2, 4], [1, 3])
    assert result.statistics.records_out == {"even": 2, "odd": 2}
    assert result.statistics.records_in == {"in": 4}


async def test_a_given_instance_is_the_one_that_runs() -> None:
    upper = Upper(suffix="!")
    result = await run_streamlet(upper, inputs={"in": [Word(text="a")]})
    assert result["out"] == [Word(text="A!")]
    assert result.instance is upper
    assert upper.seen == ["a"]


async def test_config_as_a_mapping_or_a_struct() -> None:
    by_mapping = await run_streamlet(Scale, config={"factor": 3}, inputs={"in": [1.0]})
    by_struct = await run_streamlet(Scale, config=Scale.Config(factor=4), inputs={"in": [1.0]})
    assert (by_mapping["out"], by_struct["out"]) == ([3.0], [4.0])


async def test_invalid_config_is_reported_like_in_a_blueprint() -> None:
    expected = r"\[invalid-config-value\] scale: config 'factor' of testkit.streamlets:Scale: "
    with pytest.raises(BlueprintError, match=expected + r"expected `float` > 0.0"):
        await run_streamlet(Scale, config={"factor": -1})


async def test_records_from_iterables_and_async_iterables() -> None:
    async def words() -> AsyncIterator[Word]:
        for text in "xy":
            yield Word(text=text)

    from_async = await run_streamlet(Upper, inputs={"in": words()})
    from_generator = await run_streamlet(double, inputs={"in": iter(range(3))})
    assert from_async["out"] == [Word(text="X"), Word(text="Y")]
    assert from_generator["out"] == [0, 2, 4]


@pytest.mark.parametrize(
    ("streamlet", "given", "expected"),
    [
        (double, [1, 2], [2, 4]),
        (slow_double, [1, 2], [2, 4]),
        (explode, [0, 1, 2], [1, 2, 2]),
        (digits, ["1", "", "3"], [1, 3]),
    ],
    ids=["sync", "async", "many", "none-drops"],
)
async def test_function_streamlets(
    streamlet: type, given: list[object], expected: list[object]
) -> None:
    result = await run_streamlet(streamlet, inputs={"in": given})
    assert result["out"] == expected


async def test_runtime_kind_thread_runs_the_function_in_a_worker_thread() -> None:
    result = await run_streamlet(double, runtime="thread", inputs={"in": [1, 2]})
    assert result["out"] == [2, 4]


async def test_an_egress_has_no_outputs() -> None:
    result = await run_streamlet(discard, inputs={"in": [1, 2]})
    assert result.outputs == {}
    assert result.statistics.records_in == {"in": 2}


async def test_a_finite_ingress_runs_to_its_end() -> None:
    assert (await run_streamlet(numbers))["out"] == [1, 2, 3]


async def test_stop_after_ends_an_endless_ingress() -> None:
    result = await run_streamlet(forever, stop_after=5)
    assert result["out"][:5] == [0, 1, 2, 3, 4]
    assert result.state == "stopped"


async def test_sleeps_on_the_clock_take_no_time_by_default() -> None:
    result = await run_streamlet(Ticker, config={"count": 3, "interval": 3600})
    assert result["out"] == [0.0, 3600.0, 7200.0]
    assert isinstance(result.clock, FakeClock)


async def test_logs_of_the_streamlet_are_captured() -> None:
    result = await run_streamlet(Upper, inputs={"in": [Word(text="a")]})
    assert result.messages == ["upper a"]
    assert result.logs[0].levelno == logging.INFO
    assert logging.getLogger("sandbox.streamlet.upper").level == logging.NOTSET


async def test_the_instance_name_can_be_chosen() -> None:
    result = await run_streamlet(Upper, name="shout", inputs={"in": [Word(text="a")]})
    assert result.name == "shout"
    assert result.application.streamlets["shout"].records_out == {"out": 1}


async def test_skip_counts_and_drops_failed_records() -> None:
    result = await run_streamlet(Parse, on_error="skip", inputs={"in": ["1", "x", "3"]})
    assert result["out"] == [1, 3]
    assert (result.statistics.skipped, result.statistics.errors) == (1, 1)


async def test_dead_letters_are_collected() -> None:
    result = await run_streamlet(Parse, on_error="dead-letter", inputs={"in": ["1", "x"]})
    [letter] = result.dead_letters
    assert isinstance(letter, DeadLetter)
    assert (letter.streamlet, letter.error_type, msgspec.msgpack.decode(letter.record)) == (
        "parse",
        "ValueError",
        "x",
    )


async def test_a_failure_raises_with_the_user_exception_as_cause() -> None:
    with pytest.raises(
        StreamletFailedError, match=r"^streamlet 'parse' \(replica 0\) failed: ValueError"
    ) as caught:
        await run_streamlet(Parse, inputs={"in": ["x"]})
    assert isinstance(caught.value.__cause__, ValueError)
    assert "int(text)" in caught.value.failure.traceback


async def test_a_failure_can_be_returned_instead() -> None:
    result = await run_streamlet(Parse, inputs={"in": ["x"]}, raise_on_failure=False)
    assert (result.state, result.ok) == ("failed", False)
    assert result.failure is not None
    assert isinstance(result.error, ValueError)


async def test_unknown_inlet_names_the_choices() -> None:
    with pytest.raises(
        UnknownPortError,
        match=(
            r"^'merge' has no inlet 'lefft'; did you mean 'left'\? its inlets are 'left"
            r"' and 'right'$"
        ),
    ):
        await run_streamlet(Merge, lefft=[1])


async def test_an_outlet_given_as_input_is_named_as_such() -> None:
    with pytest.raises(
        UnknownPortError,
        match=r"^'out' is an outlet of 'upper', not an inlet; its inlets are 'in'$",
    ):
        await run_streamlet(Upper, out=[Word(text="a")])


async def test_wrong_record_type_names_port_and_type() -> None:
    with pytest.raises(
        RecordTypeError, match=r"^record 1 for inlet 'in' of 'upper' expects Word, got str 'b'$"
    ):
        await run_streamlet(Upper, inputs={"in": [Word(text="a"), "b"]})


async def test_wrong_record_type_from_an_async_iterable() -> None:
    async def bad() -> AsyncIterator[object]:
        yield "x"

    with pytest.raises(RecordTypeError, match=r"^inlet 'in' of 'upper' expects Word, got str 'x'$"):
        await run_streamlet(Upper, inputs={"in": bad()})


async def test_a_string_is_not_a_list_of_records() -> None:
    with pytest.raises(
        RecordTypeError,
        match=r"must be a list, an iterable or an async iterable of records, got str$",
    ):
        await run_streamlet(Parse, inputs={"in": "123"})


async def test_ints_are_accepted_where_floats_are_expected() -> None:
    assert (await run_streamlet(Scale, inputs={"in": [1]}))["out"] == [2]


async def test_not_a_streamlet_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match=r"takes a Streamlet class or instance, got <function"):
        await run_streamlet(lambda x: x)  # type: ignore[arg-type]


async def test_timeout_says_which_streamlet_waits_on_which_port() -> None:
    with pytest.raises(TestkitTimeoutError) as caught:
        await run_streamlet(Stuck, inputs={"in": [1, 2]}, timeout=0.05)
    assert str(caught.value) == (
        "run_streamlet(Stuck) timed out after 0.05 s waiting for the run to end; still waiting:\n"
        "  - streamlet 'stuck' (replica 0) is running: 2 records wait on inlet 'in'"
    )


async def test_timeout_names_a_sleeper_on_a_manual_clock() -> None:
    with pytest.raises(
        TestkitTimeoutError,
        match=r"'ticker' \(replica 0\) is running: sleeping on the fake clock until t=1 \(now 0\)",
    ):
        await run_streamlet(Ticker, clock=FakeClock(), timeout=0.05)
