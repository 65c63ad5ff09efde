"""Random pipelines lose, duplicate and reorder nothing, and stay within capacity."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import anyio
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.runtime.rundir import RunDirectory
from sandbox.runtime.scheduler import Runtime
from sandbox.transports.memory import MemoryTransport
from sandbox.verification import verify

from .apps import PROBES, REF, new_probe

if TYPE_CHECKING:
    from pathlib import Path


class Node(msgspec.Struct, frozen=True, kw_only=True):
    """One streamlet of a generated pipeline."""

    name: str
    kind: str  # "source", "relay", "split" or "sink"
    yields: list[int]
    count: int = 0  # items a source sends


class TopicSpec(msgspec.Struct, kw_only=True):
    """One topic of a generated pipeline."""

    name: str
    producers: list[str]
    consumers: list[str]
    capacity: int


class Pipeline(msgspec.Struct, frozen=True, kw_only=True):
    """A random DAG of sources, relays, fan-outs and sinks, with merges and fan-out topics."""

    nodes: list[Node]
    topics: list[TopicSpec]
    batch_max: int

    def toml(self, probe: str) -> str:
        """The blueprint of this pipeline."""
        classes = {"source": "Source", "relay": "Relay", "split": "Split", "sink": "Sink"}
        lines = ['[blueprint]\nname = "random"\n\n[streamlets]']
        for node in self.nodes:
            count = f", count = {node.count}" if node.kind == "source" else ""
            lines.append(
                f'{node.name} = {{ class = "{REF}:{classes[node.kind]}", config = '
                f'{{ probe = "{probe}", yields = {node.yields}{count} }} }}'
            )
        for topic in self.topics:
            lines.append(
                f"\n[topics.{topic.name}]\nproducers = {topic.producers}\n"
                f"consumers = {topic.consumers}\ncapacity = {topic.capacity}"
            )
        return "\n".join(lines) + "\n"


@st.composite
def pipelines(draw: st.DrawFn) -> Pipeline:
    """Nodes in topological order; an outlet joins a new topic or merges into one
    nobody consumes yet, so the graph stays acyclic; every topic gets a consumer."""
    nodes: list[Node] = []
    topics: list[TopicSpec] = []
    yields = st.lists(st.integers(0, 3), min_size=1, max_size=4)

    def place(outlet: str) -> None:
        unconsumed = [t for t in topics if not t.consumers]
        merge: bool = draw(st.booleans())
        if merge and unconsumed:
            draw(st.sampled_from(unconsumed)).producers.append(outlet)
        else:
            topics.append(
                TopicSpec(
                    name=f"t{len(topics)}",
                    producers=[outlet],
                    consumers=[],
                    capacity=draw(st.integers(1, 8)),
                )
            )

    for i in range(draw(st.integers(1, 3))):
        nodes.append(
            Node(
                name=f"source-{i}",
                kind="source",
                yields=draw(yields),
                count=draw(st.integers(0, 40)),
            )
        )
        place(f"source-{i}.out")
    for i in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["relay", "split"]))
        name = f"{kind}-{i}"
        nodes.append(Node(name=name, kind=kind, yields=draw(yields)))
        draw(st.sampled_from(topics)).consumers.append(f"{name}.in")
        for port in ("out",) if kind == "relay" else ("a", "b"):
            place(f"{name}.{port}")
    sinks = [t for t in topics if not t.consumers]
    sinks += draw(st.lists(st.sampled_from(topics), max_size=2))
    for i, topic in enumerate(sinks):
        nodes.append(Node(name=f"sink-{i}", kind="sink", yields=draw(yields)))
        topic.consumers.append(f"sink-{i}.in")
    return Pipeline(nodes=nodes, topics=topics, batch_max=draw(st.integers(1, 16)))


_examples = itertools.count()


@pytest.mark.slow
@pytest.mark.timeout(60)
@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pipeline=pipelines())
async def test_every_record_reaches_every_consumer_once_in_order_within_capacity(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    name, probe = new_probe()
    directory = tmp_path / f"example-{next(_examples)}"
    directory.mkdir()
    try:
        blueprint = directory / "random.toml"
        blueprint.write_text(pipeline.toml(name), encoding="utf-8")
        report = verify(blueprint)
        assert report.ok, report.diagnostics
        assert report.application is not None
        for topic in pipeline.topics:
            for producer in topic.producers:
                probe.downstream.setdefault(producer, []).extend(
                    (consumer.partition(".")[0], topic.capacity) for consumer in topic.consumers
                )
        run_dir = RunDirectory(directory / "run")
        transport = MemoryTransport(report.application, batch_max=pipeline.batch_max)
        runtime = Runtime(report.application, run_dir=run_dir, transport=transport)
        try:
            with anyio.fail_after(5):
                await runtime.run()
        finally:
            run_dir.close()

        assert (runtime.state, runtime.failure, runtime.undelivered) == ("completed", None, 0)
        assert probe.violations == []
        for node in pipeline.nodes:
            received = len(probe.received[node.name])
            if node.kind == "source":
                assert len(probe.sent[f"{node.name}.out"]) == node.count
            elif node.kind == "relay":
                assert len(probe.sent[f"{node.name}.out"]) == received
            elif node.kind == "split":
                assert len(probe.sent[f"{node.name}.a"]) == len(range(0, received, 3)) + len(
                    range(2, received, 3)
                )
                assert len(probe.sent[f"{node.name}.b"]) == len(range(1, received, 3)) + len(
                    range(2, received, 3)
                )
        for topic in pipeline.topics:
            for consumer in (c.partition(".")[0] for c in topic.consumers):
                for producer in topic.producers:
                    assert probe.seqs(consumer, producer) == list(
                        range(len(probe.sent[producer]))
                    ), f"{producer} -> {consumer}"
                total = sum(len(probe.sent[p]) for p in topic.producers)
                assert len(probe.received[consumer]) == total
    finally:
        del PROBES[name]
