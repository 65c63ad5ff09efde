"""Building the application of a `run_blueprint` call.

Chosen ingresses are replaced by feeders with the same outlets (names,
schemas, keys and Config), chosen topics or inlets get an extra producer
sending the test's records, chosen topics or ports get a collector (a port
that shares its topic with other producers gets a tap), instances with
`on-error = "dead-letter"` whose dead letters nobody consumes get a
collector, and faults go into chosen topics.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, final

import msgspec

from sandbox.records import DeadLetter
from sandbox.testkit.errors import TestkitError, check_records, unknown_name
from sandbox.testkit.faults import add_fault
from sandbox.testkit.parts import (
    Feed,
    Sink,
    collector_class,
    feeder_class,
    replacement_class,
    tap_class,
)
from sandbox.testkit.plan import Plan
from sandbox.verification import DEAD_LETTERS, Application, PortRef

if TYPE_CHECKING:
    from sandbox.blueprint.model import Blueprint
    from sandbox.streamlet import Streamlet
    from sandbox.testkit.faults import Fault

__all__ = ["Builder"]


@final
class Builder:
    """The application of one `run_blueprint` call, built step by step.

    Args:
        blueprint: the loaded blueprint (config and settings applied).
        application: it, verified once to learn classes, ports and schemas.
        classes: classes given for instances instead of the blueprint's.
    """

    def __init__(
        self, blueprint: Blueprint, application: Application, classes: Mapping[str, type[Streamlet]]
    ) -> None:
        self.app = application
        self.plan = Plan(blueprint.name, blueprint)
        self.plan.classes.update(classes)
        self.feeds: list[Feed] = []
        self.sinks: dict[str, Sink] = {}
        self.dead_letters: list[Sink] = []
        self.ingresses = [n for n, i in application.instances.items() if not i.spec.inlets]

    def _schema(self, topic: str) -> object:
        connection = self.app.connections[topic]
        if connection.schema is not None:
            return connection.schema
        for consumer in connection.consumers:
            port = self.app.instances[consumer.streamlet].spec.port(consumer.port)
            if port is not None:
                return port.schema
        msg = (
            f"topic '{topic}' has neither producers nor consumers, so its record type is "
            "unknown: connect it in the blueprint, or feed or collect a port instead"
        )
        raise TestkitError(msg)

    def _topic(self, name: str, option: str) -> str:
        if name not in self.app.connections:
            raise unknown_name(name, self.app.connections, kind="topic", hint=f"in {option}=")
        return name

    def replace(self, name: str, value: object) -> None:
        instance = self.app.instances.get(name)
        if instance is None:
            raise unknown_name(name, self.app.instances, kind="streamlet", hint="in replace=")
        spec = instance.spec
        if spec.inlets:
            inlets = ", ".join(f"'{p.name}'" for p in spec.inlets)
            msg = (
                f"replace= takes ingresses, but '{name}' has inlets ({inlets}); "
                "feed the topic it reads with inputs= instead"
            )
            raise TestkitError(msg)
        per_port = value if isinstance(value, Mapping) else {spec.outlets[0].name: value}
        if not isinstance(value, Mapping) and len(spec.outlets) > 1:
            outlets = ", ".join(f"'{p.name}'" for p in spec.outlets)
            msg = f"'{name}' has several outlets ({outlets}): give replace= records per outlet"
            raise TestkitError(msg)
        feeds: dict[str, Feed] = {}
        for port_name, records in per_port.items():
            port = spec.port(port_name, "outlet")
            if port is None:
                paths = [f"{name}.{p.name}" for p in spec.outlets]
                missing = f"{name}.{port_name}"
                raise unknown_name(missing, paths, kind="outlet", hint="in replace=")
            where = f"replace['{name}'] (outlet '{port_name}')"
            feeds[port_name] = Feed(where, port.schema, check_records(records, port.schema, where))
        self.feeds.extend(feeds.values())
        cls = replacement_class(spec.cls)
        entry = msgspec.structs.replace(instance.entry, replicas=1, restart="never")
        self.plan.add(
            name,
            cls,
            functools.partial(cls, feeds),
            entry=entry,
            role=functools.partial(_feeding, feeds),
        )

    def feed(self, name: str, value: object) -> None:
        """Feed `value` into the topic `name`, or into the inlet `name` (a port path)."""
        topic, schema = self._input_topic(name)
        where = f"inputs['{name}'] (topic '{topic}')"
        feed = Feed(where, schema, check_records(value, schema, where))
        self.feeds.append(feed)
        feeder = self.plan.unique(f"feed-{topic}")
        cls = feeder_class(schema)
        factory = functools.partial(cls, {"out": feed})
        self.plan.add(feeder, cls, factory, role=functools.partial(_feeding, {"out": feed}))
        if topic not in self.plan.topics:  # an inlet in no topic: a topic of its own
            self.plan.connect(topic, [f"{feeder}.out"], [name])
            return
        original = self.plan.topics[topic]
        self._rewire(topic, [*(e.text for e in original.producers), f"{feeder}.out"], None)

    def _input_topic(self, name: str) -> tuple[str, object]:
        if name in self.app.connections:
            return name, self._schema(name)
        streamlet, _, port_name = name.partition(".")
        instance = self.app.instances.get(streamlet)
        port = instance.spec.port(port_name, "inlet") if instance is not None else None
        if port is None:
            inlets = [
                f"{i}.{p.name}" for i, inst in self.app.instances.items() for p in inst.spec.inlets
            ]
            raise unknown_name(
                name, [*self.app.connections, *inlets], kind="topic or inlet", hint="in inputs="
            )
        ref = PortRef(streamlet, port.name)
        topic = next((t for t, c in self.app.connections.items() if ref in c.consumers), name)
        return topic, port.schema

    def _rewire(self, topic: str, producers: list[str] | None, consumers: list[str] | None) -> None:
        original = self.plan.topics[topic]
        self.plan.connect(
            topic,
            producers if producers is not None else [e.text for e in original.producers],
            consumers if consumers is not None else [e.text for e in original.consumers],
            capacity=original.capacity,
            overflow=original.overflow,
        )

    def collect(self, name: str) -> None:
        if name in self.sinks:
            return
        if name in self.app.connections:
            self._collect_topic(name, name, self._schema(name))
            return
        streamlet, _, port_name = name.partition(".")
        instance = self.app.instances.get(streamlet)
        port = instance.spec.port(port_name) if instance is not None and port_name else None
        if port_name == DEAD_LETTERS and instance is not None and port is None:
            self._collect_dead_letters(streamlet, name)
            return
        if instance is None or port is None:
            choices = [
                *self.app.connections,
                *(
                    f"{i}.{p.name}"
                    for i, inst in self.app.instances.items()
                    for p in inst.spec.ports
                ),
            ]
            raise unknown_name(name, choices, kind="topic or port", hint="in collect=")
        ref = PortRef(streamlet, port_name)
        for topic, connection in self.app.connections.items():
            if ref in connection.consumers or connection.producers == (ref,):
                self._collect_topic(topic, name, port.schema)
                return
            if ref in connection.producers:
                self._tap(topic, ref, name, port.schema)
                return
        # A port in no topic: a topic of its own.
        collector = self._add_collector(name, port.schema)
        if port.direction == "outlet":
            self.plan.connect(name, [name], [f"{collector}.in"])
        else:
            msg = f"collect=: inlet '{name}' is in no topic, so it receives nothing to collect"
            raise TestkitError(msg)

    def _add_collector(self, key: str, schema: object) -> str:
        sink = self.sinks[key] = Sink()
        collector = self.plan.unique(f"collect-{key}")
        cls = collector_class(schema)
        self.plan.add(collector, cls, functools.partial(cls, sink), role=lambda: None)
        return collector

    def _collect_topic(self, topic: str, key: str, schema: object) -> None:
        collector = self._add_collector(key, schema)
        original = self.plan.topics[topic]
        self._rewire(topic, None, [*(e.text for e in original.consumers), f"{collector}.in"])

    def _tap(self, topic: str, ref: PortRef, key: str, schema: object) -> None:
        # The port shares its topic with other producers: its own records go
        # through a tap, which collects them and passes them on to the topic.
        sink = self.sinks[key] = Sink()
        tap = self.plan.unique(f"tap-{ref.streamlet}-{ref.port}")
        cls = tap_class(schema)
        self.plan.add(tap, cls, functools.partial(cls, sink), role=lambda: None)
        original = self.plan.topics[topic]
        producers = [e.text for e in original.producers if e.text not in (str(ref), ref.streamlet)]
        self._rewire(topic, [*producers, f"{tap}.out"], None)
        self.plan.connect(
            self._free_topic(key), [str(ref)], [f"{tap}.in"], capacity=original.capacity
        )

    def _free_topic(self, stem: str) -> str:
        name, n = stem, 1
        while name in self.plan.topics:
            n += 1
            name = f"{stem}-{n}"
        return name

    def _collect_dead_letters(self, streamlet: str, key: str) -> None:
        entry = self.plan.entries[streamlet]
        if entry.on_error != "dead-letter":
            msg = f"collect=: '{streamlet}' sends no dead letters; set on-error = 'dead-letter'"
            raise TestkitError(msg)
        collector = self._add_collector(key, DeadLetter)
        self.plan.connect(key, [key], [f"{collector}.in"])

    def collect_unconsumed_dead_letters(self) -> None:
        for name, entry in list(self.plan.entries.items()):
            topic = f"{name}.{DEAD_LETTERS}"
            if entry.on_error == "dead-letter" and topic not in self.plan.topics:
                sink = Sink()
                self.dead_letters.append(sink)
                collector = self.plan.unique(f"collect-{name}-dead-letters")
                cls = collector_class(DeadLetter)
                self.plan.add(collector, cls, functools.partial(cls, sink), role=lambda: None)
                self.plan.connect(topic, [topic], [f"{collector}.in"])

    def fault(self, topic: str, fault: Fault) -> None:
        add_fault(self.plan, self._topic(topic, "faults"), fault, self._schema(topic))


def _feeding(feeds: Mapping[str, Feed]) -> str | None:
    waiting = [f.where for f in feeds.values() if not f.finished]
    if not waiting:
        return None
    return "the testkit is still feeding " + ", ".join(waiting)
