"""Restart policies: redelivery after a restart, the restart limit, and `never`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import anyio

import sandbox
from sandbox.runtime.api import run_async

from .apps import REF, InstantClock, events, write_blueprint

if TYPE_CHECKING:
    from .apps import Probe


def _flaky_app(directory: Path, probe: str, flaky: str, *, fail_on: str = "[2]") -> Path:
    return write_blueprint(
        directory,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{probe}", count = 6 }} }}
flaky = {{ class = "{REF}:Flaky", {flaky}, config = {{ probe = "{probe}", fail_on = {fail_on} }} }}

[connections]
"source.out" = ["flaky.in"]
""",
    )


async def test_restart_redelivers_the_record_that_failed_first(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app = _flaky_app(tmp_path, name, 'restart = "on-failure"')
    clock = InstantClock()
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run", clock=clock)

    assert result.state == "completed"
    assert seen.attempts["flaky"] == [[0, 1, 2], [2, 3, 4, 5]]
    assert seen.seqs("flaky") == [0, 1, 2, 3, 4, 5]
    flaky = result.statistics.streamlets["flaky"]
    assert (flaky.restarts, flaky.errors, flaky.records_in) == (1, 1, {"in": 6})
    assert len(clock.slept) == 1  # one backoff, on ctx.clock
    restarting = [e for e in events(result.run_dir) if e["event"] == "restarting"]
    assert [(e["streamlet"], e["replica"], e["attempt"]) for e in restarting] == [("flaky", 0, 1)]
    assert restarting[0]["error"] == "RuntimeError: cannot handle record 2"
    assert result.undelivered == 0


async def test_restart_backoff_doubles_within_the_configured_range(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, _ = probe
    app = _flaky_app(
        tmp_path, name, 'restart = "on-failure", backoff = "1s..3s"', fail_on="[1, 2, 3, 4]"
    )
    clock = InstantClock()
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run", clock=clock)

    assert result.state == "completed"
    assert len(clock.slept) == 4
    # Between half and all of 1 s, 2 s, then capped at 3 s.
    for delay, ceiling in zip(clock.slept, [1.0, 2.0, 3.0, 3.0], strict=True):
        assert ceiling / 2 <= delay <= ceiling


async def test_exceeding_max_restarts_fails_the_application(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{name}", count = 6 }} }}
flaky = {{ class = "{REF}:Flaky", restart = "on-failure", max-restarts = 2, config = {{ probe = "{name}", fail_on = [2], always = true }} }}

[connections]
"source.out" = ["flaky.in"]
""",  # noqa: E501
    )
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run", clock=InstantClock())

    assert result.state == "failed"
    assert seen.attempts["flaky"] == [[0, 1, 2], [2], [2]]
    assert result.statistics.streamlets["flaky"].restarts == 2
    assert result.statistics.streamlets["flaky"].state == "failed"
    assert result.failure is not None
    assert result.failure.streamlet == "flaky"
    trail = [(e["event"], e.get("streamlet")) for e in events(result.run_dir)]
    assert trail.count(("restarting", "flaky")) == 2
    assert ("failed", "flaky") in trail
    assert trail[-1] == ("failed", None)


async def test_restart_never_fails_the_application_with_the_users_traceback(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app = _flaky_app(tmp_path, name, 'restart = "never"')
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run")

    assert result.state == "failed"
    assert not result.ok
    assert seen.attempts["flaky"] == [[0, 1, 2]]
    failure = result.failure
    assert failure is not None
    assert (failure.streamlet, failure.replica) == ("flaky", 0)
    assert (failure.error_type, failure.message) == ("RuntimeError", "cannot handle record 2")
    apps_file = str(Path(__file__).with_name("apps.py"))
    assert f'File "{apps_file}", line' in failure.traceback
    assert ", in run\n" in failure.traceback  # Flaky.run
    assert ", in _explode\n" in failure.traceback
    assert failure.traceback.startswith("Traceback (most recent call last):\n")
    assert failure.traceback.endswith("RuntimeError: cannot handle record 2\n")
    assert str(Path(sandbox.__file__).parent) not in failure.traceback
    assert str(Path(anyio.__file__).parent) not in failure.traceback
    assert "asyncio" not in failure.traceback
    assert result.statistics.streamlets["source"].state == "completed"
    # The record it failed on and those behind it were not delivered.
    assert result.undelivered == 4


async def test_restart_redelivers_a_record_taken_with_receive(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{name}", count = 4 }} }}
flaky = {{ class = "{REF}:Flaky", restart = "on-failure", config = {{ probe = "{name}", fail_on = [1], receive = true }} }}

[connections]
"source.out" = ["flaky.in"]
""",  # noqa: E501
    )
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run", clock=InstantClock())

    assert result.state == "completed"
    assert seen.attempts["flaky"] == [[0, 1], [1, 2, 3]]
    assert result.statistics.streamlets["flaky"].records_in == {"in": 4}


async def test_restart_always_restarts_a_replica_that_returns_before_its_input_ends(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{name}", count = 3 }} }}
sink = {{ class = "{REF}:Sink", restart = "always", config = {{ probe = "{name}", stop_after = 1 }} }}

[connections]
"source.out" = ["sink.in"]
""",  # noqa: E501
    )
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run", clock=InstantClock())

    assert result.state == "completed"
    assert seen.seqs("sink") == [0, 1, 2]  # each attempt takes one; none is lost or repeated
    assert result.statistics.streamlets["sink"].restarts >= 2
