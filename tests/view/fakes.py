"""Statistics made up for render tests: every streamlet running, chosen fills and rates."""

from __future__ import annotations

from pathlib import Path

from sandbox.runtime.stats import Statistics, StreamletStatistics
from sandbox.transports.base import TopicStatistics
from sandbox.verification import Application, verify
from sandbox.view.frame import FrameInput
from sandbox.view.layout import layout
from sandbox.view.snapshot import PortRates, Snapshot, snapshot

ROOT = Path(__file__).resolve().parents[2]
SENSOR = ROOT / "blueprints" / "sensor-data.toml"


def application(path: Path = SENSOR) -> Application:
    """The verified application of a blueprint file."""
    report = verify(path)
    assert report.ok, report.diagnostics
    assert report.application is not None
    return report.application


def statistics(
    app: Application,
    *,
    elapsed: float,
    rate: float = 20.0,
    fills: dict[str, float] | None = None,
    stalled: frozenset[str] = frozenset(),
) -> Statistics:
    """Every streamlet running with `rate` records/s on each port since the start."""
    fills = fills or {}
    streamlets = {}
    for name, instance in app.instances.items():
        count = int(rate * elapsed)
        streamlets[name] = StreamletStatistics(
            name=name,
            state="running",
            replicas=instance.entry.replicas,
            restarts=0,
            errors=0,
            skipped=0,
            dead_letters=0,
            records_in={p.name: count for p in instance.spec.inlets},
            records_out={p.name: count for p in instance.spec.outlets},
            rate_in=rate if instance.spec.inlets else 0.0,
            rate_out=rate if instance.spec.outlets else 0.0,
            stalled=name in stalled,
        )
    topics = []
    for name, connection in app.connections.items():
        capacity = connection.topic.capacity
        for consumer in connection.consumers:
            for replica in range(app.instances[consumer.streamlet].entry.replicas):
                topics.append(
                    TopicStatistics(
                        topic=name,
                        consumer=str(consumer),
                        replica=replica,
                        buffered=int(fills.get(name, 0.0) * capacity),
                        capacity=capacity,
                        dropped=0,
                        blocked_seconds=0.0,
                    )
                )
    return Statistics(
        application=app.name,
        elapsed=elapsed,
        state="running",
        streamlets=streamlets,
        topics=topics,
        buffered=sum(t.buffered for t in topics),
    )


def snapshot_of(app: Application, **options: object) -> Snapshot:
    """A snapshot with outlet rates: two statistics one second apart."""
    rates = PortRates()
    snapshot(statistics(app, elapsed=1.0, **options), app, rates)  # type: ignore[arg-type]
    return snapshot(statistics(app, elapsed=2.0, **options), app, rates)  # type: ignore[arg-type]


def frame_of(app: Application, **options: object) -> FrameInput:
    """A frame of `app` with made-up statistics."""
    return FrameInput(
        snapshot=snapshot_of(app, **options),
        application=app,
        layout=layout(app),
        run_dir=".sandbox/runs/20260101-000000-000000",
    )
