"""Overflow policies of a topic, end to end."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from sandbox.runtime.api import run_async

from .apps import REF, write_blueprint

if TYPE_CHECKING:
    from pathlib import Path

    from sandbox.runtime.api import RunResult

    from .apps import Probe


async def _run_gated(tmp_path: Path, probe: str, overflow: str) -> RunResult:
    """20 items into a capacity-4 topic whose sink starts only after the last send."""
    app = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{probe}", count = 20, gate = true }} }}
sink = {{ class = "{REF}:Sink", config = {{ probe = "{probe}", wait_gate = true }} }}

[topics.items]
producers = ["source"]
consumers = ["sink"]
capacity = 4
overflow = "{overflow}"
""",
    )
    with anyio.fail_after(1):
        return await run_async(app, run_dir=tmp_path / "run")


async def test_drop_newest_keeps_the_first_records_and_counts_the_rest(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    result = await _run_gated(tmp_path, name, "drop-newest")

    assert result.state == "completed"
    assert seen.seqs("sink") == [0, 1, 2, 3]
    [topic] = result.statistics.topics
    assert (topic.topic, topic.consumer, topic.capacity, topic.dropped) == (
        "items",
        "sink.in",
        4,
        16,
    )
    assert result.statistics.streamlets["source"].records_out == {"out": 20}


async def test_drop_oldest_keeps_the_latest_records_and_counts_the_rest(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    result = await _run_gated(tmp_path, name, "drop-oldest")

    assert result.state == "completed"
    assert seen.seqs("sink") == [16, 17, 18, 19]
    assert [t.dropped for t in result.statistics.topics] == [16]


async def test_overflow_fail_fails_the_producer_with_buffer_overflow_error(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    result = await _run_gated(tmp_path, name, "fail")

    assert result.state == "failed"
    assert result.failure is not None
    assert (result.failure.streamlet, result.failure.error_type) == (
        "source",
        "BufferOverflowError",
    )
    assert result.failure.message == (
        "topic buffer items -> sink.in[0] is full (4 records) and overflow is 'fail'"
    )
    assert len(seen.sent["source.out"]) == 4  # the fifth send raised
    assert seen.seqs("sink") == []


async def test_block_makes_the_producer_wait_within_capacity(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    seen.downstream["source.out"] = [("sink", 4)]
    app = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{name}", count = 200 }} }}
sink = {{ class = "{REF}:Sink", config = {{ probe = "{name}", yields = [3] }} }}

[topics.items]
producers = ["source"]
consumers = ["sink"]
capacity = 4
""",
    )
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run")

    assert result.state == "completed"
    assert seen.violations == []
    assert seen.seqs("sink") == list(range(200))
    [topic] = result.statistics.topics
    assert topic.dropped == 0
    assert topic.blocked_seconds > 0  # the producer did wait
