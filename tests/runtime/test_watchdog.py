"""The blocked-event-loop warning names the streamlet that blocks."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import anyio
import pytest

from sandbox.runtime.api import run_async

from .apps import REF, events, write_blueprint

if TYPE_CHECKING:
    from pathlib import Path

    from sandbox.runtime.api import RunResult

    from .apps import Probe


async def _run_sleepy(directory: Path, probe: str, kind: str) -> RunResult:
    # `sleepy` calls time.sleep(0.3) per record: the subject of the test, not a wait.
    app = write_blueprint(
        directory,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{probe}", count = 1 }} }}
sleepy = {{ class = "{REF}:sleepy", runtime = "{kind}" }}

[connections]
"source.out" = ["sleepy.in"]
""",
    )
    with anyio.fail_after(3):
        return await run_async(app, run_dir=directory / "run")


@pytest.mark.slow
async def test_blocking_the_loop_logs_a_warning_and_a_blocked_event_naming_the_streamlet(
    tmp_path: Path, probe: tuple[str, Probe], caplog: pytest.LogCaptureFixture
) -> None:
    result = await _run_sleepy(tmp_path, probe[0], "async")

    assert result.state == "completed"
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "sandbox.runtime"
        and r.levelno == logging.WARNING
        and "sleepy" in r.getMessage()
    ]
    assert len(warnings) == 1  # once per blocking episode
    assert warnings[0].startswith("streamlet sleepy[0] blocked the event loop for more than ")
    assert 'runtime = "thread"' in warnings[0]
    blocked = [e for e in events(result.run_dir) if e["event"] == "blocked"]
    assert [e["streamlet"] for e in blocked if e.get("streamlet")] == ["sleepy[0]"]
    assert 0.1 <= blocked[-1]["seconds"] < 0.3


@pytest.mark.slow
async def test_blocking_code_in_the_thread_kind_does_not_block_the_loop(
    tmp_path: Path, probe: tuple[str, Probe], caplog: pytest.LogCaptureFixture
) -> None:
    result = await _run_sleepy(tmp_path, probe[0], "thread")

    assert result.state == "completed"
    trail = events(result.run_dir)
    assert not [e for e in trail if e["event"] == "blocked" and e.get("streamlet") == "sleepy[0]"]
    assert not [r for r in caplog.records if "sleepy" in r.getMessage()]
