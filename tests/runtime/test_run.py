"""Running an application: completion, stopping, statistics and the run directory."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import anyio
import msgspec
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.runtime.api import RunResult, run_async
from sandbox.runtime.stats import Statistics

from .apps import REF, ManualClock, events, write_blueprint

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from sandbox.runtime.scheduler import Runtime

    from .apps import Probe


def _pipeline(
    directory: Path, probe: str, source: str = "count = 20", sink: str = "", sink_entry: str = ""
) -> Path:
    """source -> relay -> sink; `source`, `sink`: config entries; `sink_entry`: settings."""
    return write_blueprint(
        directory,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{probe}", {source} }} }}
relay = {{ class = "{REF}:Relay", config = {{ probe = "{probe}" }} }}
sink = {{ class = "{REF}:Sink", config = {{ probe = "{probe}"{sink} }}{sink_entry} }}

[topics.raw]
producers = ["source.out"]
consumers = ["relay.in"]

[topics.relayed]
producers = ["relay.out"]
consumers = ["sink.in"]
capacity = 8
""",
    )


async def test_run_completes_when_every_streamlet_has_returned(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    with anyio.fail_after(1):
        result = await run_async(_pipeline(tmp_path, name), run_dir=tmp_path / "run")

    assert (result.state, result.ok, result.failure, result.undelivered) == (
        "completed", True, None, 0,
    )  # fmt: skip
    assert result.application == "test-app"
    assert seen.seqs("sink") == list(range(20))
    assert {s.state for s in result.statistics.streamlets.values()} == {"completed"}


async def test_statistics_count_records_per_port_and_topic_buffers(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, _ = probe
    with anyio.fail_after(1):
        result = await run_async(_pipeline(tmp_path, name), run_dir=tmp_path / "run")

    stats = result.statistics
    assert (stats.application, stats.state, stats.buffered) == ("test-app", "completed", 0)
    counts = {
        s.name: (s.records_in, s.records_out, s.replicas, s.restarts, s.errors)
        for s in stats.streamlets.values()
    }
    assert counts == {
        "source": ({}, {"out": 20}, 1, 0, 0),
        "relay": ({"in": 20}, {"out": 20}, 1, 0, 0),
        "sink": ({"in": 20}, {}, 1, 0, 0),
    }
    assert (stats.records_in, stats.records_out) == (40, 40)
    topics = {
        (t.topic, t.consumer, t.replica, t.capacity, t.buffered, t.dropped) for t in stats.topics
    }
    assert topics == {("raw", "relay.in", 0, 1024, 0, 0), ("relayed", "sink.in", 0, 8, 0, 0)}


async def test_statistics_snapshot_shows_a_running_application(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    seen.expect = ("sink", 1)
    clock = ManualClock()
    runtimes: list[Runtime] = []
    app_file = _pipeline(tmp_path, name, source="count = 1, pause = 10.0")

    async def run() -> None:
        await run_async(app_file, run_dir=tmp_path / "run", clock=clock, on_start=runtimes.append)

    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            await seen.arrived.wait()  # the source now sleeps 10 s on the clock
            stats = runtimes[0].statistics()
            clock.advance(10)

    assert stats.state == "running"
    assert stats.streamlets["source"].state == "running"
    assert stats.streamlets["source"].records_out == {"out": 1}
    assert stats.streamlets["relay"].records_in == {"in": 1}
    assert stats.streamlets["sink"].records_in == {"in": 1}
    assert runtimes[0].statistics().state == "completed"


async def test_a_record_sent_at_a_trickle_arrives_while_the_producer_sleeps(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    seen.expect = ("sink", 1)
    clock = ManualClock()
    results: list[RunResult] = []
    app_file = _pipeline(tmp_path, name, source="count = 1, pause = 30.0")

    async def run() -> None:
        results.append(await run_async(app_file, run_dir=tmp_path / "run", clock=clock))

    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            await seen.arrived.wait()  # batching must not hold the record for more
            assert seen.seqs("sink") == [0]
            clock.advance(30)
    assert results[0].state == "completed"


async def test_duration_stops_ingresses_and_drains_everything_they_sent(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app_file = _pipeline(tmp_path, name, source="yields = [1]")  # forever, until stopping
    with anyio.fail_after(2):
        result = await run_async(app_file, run_dir=tmp_path / "run", duration=0.05)

    assert (result.state, result.ok, result.undelivered) == ("stopped", True, 0)
    sent = len(seen.sent["source.out"])
    assert sent > 0
    assert seen.seqs("sink") == list(range(sent))
    trail = [e["event"] for e in events(result.run_dir)]
    assert trail.index("stopping") < trail.index("stopped") == len(trail) - 1


async def test_drain_timeout_cancels_and_counts_the_undelivered_records(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app_file = _pipeline(tmp_path, name, source="count = 10", sink=", hang_after = 3")
    with anyio.fail_after(2):
        result = await run_async(
            app_file, run_dir=tmp_path / "run", duration=0.01, drain_timeout=0.05
        )

    assert (result.state, result.ok) == ("cancelled", False)
    assert seen.seqs("sink") == [0, 1, 2]
    assert result.undelivered == 8  # the sink finished 2; the 3rd was cut short
    assert result.statistics.streamlets["sink"].state == "cancelled"
    trail = [e["event"] for e in events(result.run_dir)]
    assert trail[-4:] == ["stopping", "drain-timeout", "cancelling", "cancelled"]


async def test_cancelling_a_blocked_producer_counts_its_records_in_flight(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app_file = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{name}", count = 100 }} }}
sink = {{ class = "{REF}:Sink", config = {{ probe = "{name}", hang_after = 1 }} }}

[topics.items]
producers = ["source"]
consumers = ["sink"]
capacity = 4
""",
    )
    with anyio.fail_after(2):
        result = await run_async(
            app_file, run_dir=tmp_path / "run", duration=0.01, drain_timeout=0.01
        )

    assert result.state == "cancelled"
    # Sent: the items whose send returned, and the one whose send was waiting;
    # the sink finished none (it hangs on its first).
    assert result.undelivered == len(seen.sent["source.out"]) + 1


async def test_a_consumer_that_returns_early_releases_its_producer(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app_file = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{name}", count = 3000 }} }}
sink = {{ class = "{REF}:Sink", config = {{ probe = "{name}", stop_after = 1 }} }}

[topics.items]
producers = ["source"]
consumers = ["sink"]
capacity = 4
""",
    )
    with anyio.fail_after(1):
        result = await run_async(app_file, run_dir=tmp_path / "run")

    assert result.state == "completed"
    assert len(seen.sent["source.out"]) == 3000
    assert seen.seqs("sink") == [0]


async def test_records_a_returning_consumer_never_saw_are_reported_unread(
    tmp_path: Path, probe: tuple[str, Probe], caplog: pytest.LogCaptureFixture
) -> None:
    name, seen = probe
    app_file = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{name}", count = 10, gate = true }} }}
sink = {{ class = "{REF}:Sink", config = {{ probe = "{name}", wait_gate = true, stop_after = 1 }} }}

[connections]
"source.out" = ["sink.in"]
""",
    )
    with anyio.fail_after(1):
        result = await run_async(app_file, run_dir=tmp_path / "run")

    assert result.state == "completed"
    assert seen.seqs("sink") == [0]
    assert [r.getMessage() for r in caplog.records if r.name == "sandbox.runtime"] == [
        "sink[0] finished with 9 records unread on its inlets"
    ]


async def test_run_directory_has_events_log_and_metrics(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, _ = probe
    app_file = _pipeline(
        tmp_path,
        name,
        source="count = 10",
        sink=", log_every = 10",
        sink_entry=', log-level = "info"',
    )
    with anyio.fail_after(1):
        result = await run_async(app_file, run_dir=tmp_path / "run")

    run_dir = tmp_path / "run"
    assert result.run_dir == str(run_dir)
    trail = [(e["event"], e.get("streamlet")) for e in events(run_dir)]
    assert trail[0] == ("started", None)
    assert trail[-1] == ("completed", None)
    for streamlet in ("source", "relay", "sink"):
        assert trail.index(("ready", streamlet)) < trail.index(("completed", streamlet))
    assert all(isinstance(e["time"], float) for e in events(run_dir))
    log = (run_dir / "sandbox.log").read_text(encoding="utf-8")
    assert "INFO    sandbox.streamlet.sink: received 10 records" in log
    metrics = msgspec.json.decode((run_dir / "metrics.json").read_bytes(), type=Statistics)
    assert metrics.streamlets["sink"].records_in == {"in": 10}
    assert metrics.state == "completed"
    assert not (run_dir / "dead-letters.jsonl").exists()


def test_cli_metrics_json_has_the_final_statistics(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    app_file = _pipeline(tmp_path, probe[0])
    metrics = tmp_path / "metrics.json"
    runner = CliRunner(env={"COLUMNS": "200", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})

    result = runner.invoke(
        app,
        ["run", str(app_file), "--no-view", "--run-dir", str(tmp_path / "run"),
         "--metrics-json", str(metrics)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    data = json.loads(metrics.read_text(encoding="utf-8"))
    assert data["application"] == "test-app"
    assert data["state"] == "completed"
    assert data["streamlets"]["source"]["records_out"] == {"out": 20}
    assert data["streamlets"]["sink"]["records_in"] == {"in": 20}
    assert {t["topic"] for t in data["topics"]} == {"raw", "relayed"}
    assert "test-app: completed" in result.stdout


async def test_keyed_records_go_to_one_replica_each_in_order(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app_file = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:KeyedSource", config = {{ probe = "{name}", count = 60, keys = 5 }} }}
sink = {{ class = "{REF}:Sink", replicas = 3, config = {{ probe = "{name}" }} }}

[connections]
"source.out" = ["sink.in"]
""",
    )
    with anyio.fail_after(1):
        result = await run_async(app_file, run_dir=tmp_path / "run")

    assert result.state == "completed"
    replicas_of: dict[int, set[int]] = {}
    for replica, item in seen.received["sink"]:
        replicas_of.setdefault(item.key, set()).add(replica)
    assert all(len(r) == 1 for r in replicas_of.values()), replicas_of
    assert set().union(*replicas_of.values()) == {0, 1, 2}  # 5 keys spread over 3 replicas
    for key in range(5):
        assert [i.seq for _, i in seen.received["sink"] if i.key == key] == list(range(key, 60, 5))
    sink = result.statistics.streamlets["sink"]
    assert (sink.replicas, sink.records_in) == (3, {"in": 60})
    assert len([t for t in result.statistics.topics if t.consumer == "sink.in"]) == 3
    ready = [
        e["replica"]
        for e in events(result.run_dir)
        if e["event"] == "ready" and e["streamlet"] == "sink"
    ]
    assert sorted(ready) == [0, 1, 2]


async def test_unkeyed_records_are_spread_round_robin_in_order(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app_file = write_blueprint(
        tmp_path,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{name}", count = 30, yields = [1] }} }}
sink = {{ class = "{REF}:Sink", replicas = 3, config = {{ probe = "{name}" }} }}

[connections]
"source.out" = ["sink.in"]
""",
    )
    with anyio.fail_after(1):
        result = await run_async(app_file, run_dir=tmp_path / "run")

    assert result.state == "completed"
    per_replica = {r: [i.seq for q, i in seen.received["sink"] if q == r] for r in range(3)}
    assert all(seqs == sorted(seqs) for seqs in per_replica.values())
    assert sorted(s for seqs in per_replica.values() for s in seqs) == list(range(30))
    assert [len(seqs) for seqs in per_replica.values()] == [10, 10, 10]


async def test_streamlet_log_level_filters_its_records(
    tmp_path: Path, probe: tuple[str, Probe], caplog: pytest.LogCaptureFixture
) -> None:
    name, _ = probe
    caplog.set_level(logging.DEBUG, logger="sandbox")
    app_file = _pipeline(
        tmp_path,
        name,
        source="count = 4",
        sink=", log_every = 1",
        sink_entry=', log-level = "warning"',
    )
    with anyio.fail_after(1):
        await run_async(app_file, run_dir=tmp_path / "run")

    assert not [r for r in caplog.records if r.name == "sandbox.streamlet.sink"]
