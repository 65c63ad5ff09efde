"""The stall watchdog flags a streamlet with records waiting and no progress."""

from __future__ import annotations

import itertools
import json
import logging
from typing import TYPE_CHECKING

import anyio
import pytest

from sandbox.runtime.api import run_async
from sandbox.runtime.rundir import RunDirectory
from sandbox.runtime.scheduler import Runtime
from sandbox.runtime.stall import StallWatchdog

from .fakes import application
from .pace import REF, Tick

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from sandbox.verification import Application


def _blueprint(tmp_path: Path, *, relay: bool = False, capacity: int = 1024) -> Path:
    hops = ["source", "relay", "stuck"] if relay else ["source", "stuck"]
    lines = [
        "[streamlets]",
        f'source = {{ class = "{REF}:Source", config = {{ limit = 10 }} }}',
        f'relay = "{REF}:relay"' if relay else "",
        f'stuck = "{REF}:Stuck"',
    ]
    for a, b in itertools.pairwise(hops):
        lines += [f"[topics.{a}-{b}]", f'producers = ["{a}.out"]', f'consumers = ["{b}.in"]']
        lines.append(f"capacity = {capacity}")
    path = tmp_path / "stuck.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def runtimes(tmp_path: Path) -> Iterator[Callable[[Application], Runtime]]:
    """Runtimes that are not run, every replica marked running; run directories closed."""
    made: list[Runtime] = []

    def make(app: Application) -> Runtime:
        runtime = Runtime(app, run_dir=RunDirectory(tmp_path / f"run-{len(made)}"))
        for slots in runtime.slots.values():
            for slot in slots:
                slot.state = "running"
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.run_dir.close()


async def _send(runtime: Runtime, streamlet: str, count: int) -> None:
    writer = runtime.slots[streamlet][0].outlets["out"]
    await writer.send_many([Tick(n=i, label="t") for i in range(count)])
    await writer.flush()


def _events(runtime: Runtime, name: str) -> list[dict[str, object]]:
    return [e for e in runtime.run_dir.events if e["event"] == name]


async def test_waiting_records_without_progress_flag_a_stall_then_progress_a_recovery(
    tmp_path: Path, runtimes: Callable[[Application], Runtime]
) -> None:
    runtime = runtimes(application(_blueprint(tmp_path)))
    await _send(runtime, "source", 3)
    watchdog = StallWatchdog(
        runtime.application, runtime.slots, runtime.transport, runtime.run_dir, timeout=1.0
    )
    stuck = runtime.slots["stuck"][0]

    flags = []
    for now in (0.0, 0.9, 1.0):
        watchdog.check(now=now)
        flags.append(stuck.stalled)
    assert flags == [False, False, True]
    assert runtime.statistics().streamlets["stuck"].stalled
    assert not runtime.slots["source"][0].stalled  # nothing waits for the source
    [stalled] = _events(runtime, "stalled")
    assert (stalled["streamlet"], stalled["replica"], stalled["waiting"]) == ("stuck", 0, 3)

    await stuck.inlets["in"].receive_batch()
    watchdog.check(now=1.5)
    assert not stuck.stalled
    [recovered] = _events(runtime, "recovered")
    assert (recovered["streamlet"], recovered["seconds"]) == ("stuck", 1.5)


async def test_a_streamlet_held_by_a_full_downstream_buffer_is_not_stalled(
    tmp_path: Path, runtimes: Callable[[Application], Runtime]
) -> None:
    runtime = runtimes(application(_blueprint(tmp_path, relay=True, capacity=8)))
    await _send(runtime, "source", 4)
    await _send(runtime, "relay", 8)  # stuck's buffer is full: relay cannot send
    watchdog = StallWatchdog(
        runtime.application, runtime.slots, runtime.transport, runtime.run_dir, timeout=1.0
    )

    for now in (0.0, 1.0, 2.0):
        watchdog.check(now=now)

    assert runtime.slots["stuck"][0].stalled
    assert not runtime.slots["relay"][0].stalled


async def test_no_stall_while_nothing_waits(
    tmp_path: Path, runtimes: Callable[[Application], Runtime]
) -> None:
    runtime = runtimes(application(_blueprint(tmp_path)))
    watchdog = StallWatchdog(
        runtime.application, runtime.slots, runtime.transport, runtime.run_dir, timeout=1.0
    )

    for now in (0.0, 5.0, 10.0):
        watchdog.check(now=now)

    assert not any(s.stalled for slots in runtime.slots.values() for s in slots)


@pytest.mark.slow
async def test_a_stuck_streamlet_is_flagged_in_statistics_events_and_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stalled = anyio.Event()
    seen: list[bool] = []

    def on_start(runtime: Runtime) -> None:
        event = runtime.run_dir.event

        def watch(name: str, streamlet: str | None = None, **fields: object) -> None:
            event(name, streamlet, **fields)
            if name == "stalled":
                seen.append(runtime.statistics().streamlets["stuck"].stalled)
                runtime.stop()  # sets the event Stuck awaits: it drains and the run ends
                stalled.set()

        runtime.run_dir.event = watch  # type: ignore[method-assign, assignment]  # the test's hook

    with anyio.fail_after(3):
        result = await run_async(
            _blueprint(tmp_path), run_dir=tmp_path / "run", stall_timeout=0.05, on_start=on_start
        )

    assert stalled.is_set()
    assert seen == [True]
    assert result.state == "stopped"
    lines = (tmp_path / "run" / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    [event] = [e for e in events if e["event"] == "stalled"]
    assert (event["streamlet"], event["waiting"]) == ("stuck", 10)
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "sandbox.streamlet.stuck" and r.levelno == logging.WARNING
    ]
    assert warnings[0].startswith("stalled: 10 records wait on its inlet and replica 0 took none")
