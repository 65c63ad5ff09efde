"""What run_blueprint's replace=, inputs=, collect= and faults= refuse, and odd cases."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

from sandbox import Context, Outlet, Streamlet
from sandbox.testkit import (
    Drop,
    RecordTypeError,
    TestkitError,
    TestkitTimeoutError,
    UnknownNameError,
    run_blueprint,
)

if TYPE_CHECKING:
    from pathlib import Path

REF = "testkit.streamlets"


class Pair(Streamlet):
    """An ingress with two outlets."""

    left = Outlet(int)
    right = Outlet(int)

    async def run(self, ctx: Context[None]) -> None:
        await self.left.send(1)
        await self.right.send(2)


PAIR = """
[blueprint]
name = "pair"
[streamlets]
pair = "testkit.test_build:Pair"
a = "REF:Collect"
b = "REF:Collect"
[connections]
"pair.left" = ["a.in"]
"pair.right" = ["b.in"]
"""
PARSE = """
[blueprint]
name = "parse"
[streamlets]
parse = "REF:Parse"
sink = "REF:Collect"
[connections]
"parse.out" = ["sink.in"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "app.toml"
    path.write_text(textwrap.dedent(text).replace("REF", REF), encoding="utf-8")
    return path


async def test_inputs_to_a_topic_without_producers_take_the_consumers_type(
    tmp_path: Path,
) -> None:
    app = write(
        tmp_path,
        """
        [blueprint]
        name = "open"
        [streamlets]
        sink = "REF:Collect"
        [topics.numbers]
        producers = []
        consumers = ["sink.in"]
        """,
    )
    with pytest.raises(
        RecordTypeError,
        match=r"^record 0 for inputs\['numbers'\] \(topic 'numbers'\) expects int, got str 'x'$",
    ):
        await run_blueprint(app, inputs={"numbers": ["x"]})
    result = await run_blueprint(app, inputs={"numbers": [1, 2]}, collect=["numbers"])
    assert result["numbers"] == [1, 2]


async def test_replace_takes_ingresses_only(tmp_path: Path) -> None:
    with pytest.raises(
        TestkitError,
        match=(
            r"^replace= takes ingresses, but 'parse' has inlets \('in'\); feed the topic it"
            r" reads with inputs= instead$"
        ),
    ):
        await run_blueprint(write(tmp_path, PARSE), replace={"parse": ["1"]})


async def test_replace_needs_records_per_outlet_for_an_ingress_with_several(
    tmp_path: Path,
) -> None:
    app = write(tmp_path, PAIR)
    with pytest.raises(
        TestkitError,
        match=(
            r"^'pair' has several outlets \('left', 'right'\): give replace= records per outlet$"
        ),
    ):
        await run_blueprint(app, replace={"pair": [1]})
    with pytest.raises(
        UnknownNameError,
        match=(
            r"^the blueprint has no outlet 'pair.lef'; did you mean 'pair.left'\? choose from"
            r" 'pair.left' or 'pair.right' \(in replace=\)$"
        ),
    ):
        await run_blueprint(app, replace={"pair": {"lef": [1]}})


async def test_replace_per_outlet_feeds_each_outlets_topic(tmp_path: Path) -> None:
    result = await run_blueprint(
        write(tmp_path, PAIR),
        replace={"pair": {"left": [10, 11], "right": [20]}},
        collect=["a.in", "b.in"],
    )
    assert (result["a.in"], result["b.in"]) == ([10, 11], [20])


async def test_collecting_a_name_twice_collects_its_records_once(tmp_path: Path) -> None:
    result = await run_blueprint(write(tmp_path, PAIR), collect=["pair.left", "pair.left"])
    assert result.outputs == {"pair.left": [1]}


async def test_an_inlet_in_no_topic_cannot_be_collected(tmp_path: Path) -> None:
    app = write(
        tmp_path,
        """
        [blueprint]
        name = "alone"
        [streamlets]
        sink = "REF:Collect"
        """,
    )
    with pytest.raises(
        TestkitError,
        match=r"^collect=: inlet 'sink.in' is in no topic, so it receives nothing to collect$",
    ):
        await run_blueprint(app, collect=["sink.in"])


async def test_dead_letters_are_collected_only_from_a_dead_letter_streamlet(
    tmp_path: Path,
) -> None:
    with pytest.raises(
        TestkitError,
        match=r"^collect=: 'parse' sends no dead letters; set on-error = 'dead-letter'$",
    ):
        await run_blueprint(
            write(tmp_path, PARSE), inputs={"parse.in": ["1"]}, collect=["parse.dead-letters"]
        )


async def test_a_fault_on_an_unknown_topic_suggests_the_close_one(tmp_path: Path) -> None:
    with pytest.raises(
        UnknownNameError,
        match=(
            r"^the blueprint has no topic 'parse-out'; did you mean 'parse.out'\? choose from"
            r" 'parse.out' \(in faults=\)$"
        ),
    ):
        await run_blueprint(
            write(tmp_path, PARSE), inputs={"parse.in": ["1"]}, faults={"parse-out": Drop(every=2)}
        )


async def test_a_timeout_names_the_input_the_testkit_is_still_feeding(tmp_path: Path) -> None:
    app = write(
        tmp_path,
        """
        [blueprint]
        name = "stuck"
        [streamlets]
        stuck = "REF:Stuck"
        sink = "REF:Collect"
        [connections]
        "stuck.out" = ["sink.in"]
        """,
    )
    with pytest.raises(TestkitTimeoutError) as caught:
        # More records than the topic holds, to a streamlet that never reads.
        await run_blueprint(app, inputs={"stuck.in": iter(range(2000))}, timeout=0.05)
    assert str(caught.value).endswith(
        "\n  - the testkit is still feeding inputs['stuck.in'] (topic 'stuck.in')"
    )
