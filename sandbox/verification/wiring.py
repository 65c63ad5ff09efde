"""Resolving topics to ports, and the checks on the resulting graph."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from sandbox.blueprint.model import Blueprint, Endpoint, Topic
from sandbox.errors import Diagnostic, article, diagnostic, did_you_mean, quote_list
from sandbox.records import DeadLetter
from sandbox.schema import Mismatch, check_compatible, type_name
from sandbox.verification.application import Connection, Edge, Instance, PortRef

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sandbox.ports import Direction, Port

__all__ = ["DEAD_LETTERS", "Wiring"]

DEAD_LETTERS: Final = "dead-letters"
_PORT_PATH: Final = re.compile(r"^[^.\s]+(\.[^.\s]+)?$")
# Where a streamlet without ports of a direction belongs instead.
_OTHER: Final[dict[Direction, str]] = {"inlet": "producers", "outlet": "consumers"}


class Wiring:
    """Resolves every topic of a blueprint and checks the graph it forms."""

    def __init__(self, blueprint: Blueprint, instances: dict[str, Instance]) -> None:
        self.blueprint = blueprint
        self.instances = instances
        self.problems: list[Diagnostic] = []
        self.bound: dict[PortRef, str] = {}
        self.schemas: dict[PortRef, Any] = {}
        self._checked: dict[tuple[int, int], tuple[Any, Any, list[Mismatch]]] = {}
        self._names: dict[int, str] = {}
        self._keep: list[Any] = []

    def resolve(self) -> tuple[dict[str, Connection], tuple[Edge, ...]]:
        """Resolve all topics; then check schemas, unconnected ports and cycles."""
        connections = {
            name: self._connection(topic) for name, topic in self.blueprint.topics.items()
        }
        edges = tuple(edge for c in connections.values() for edge in self._edges(c))
        self._unconnected()
        self._cycles(connections)
        return connections, edges

    # --- endpoints ---------------------------------------------------------------

    def _connection(self, topic: Topic) -> Connection:
        producers = self._ports(topic, topic.producers, "outlet")
        if not topic.producers and topic.name.endswith(f".{DEAD_LETTERS}"):
            implicit = Endpoint(text=topic.name, path=topic.path)
            producers = self._ports(topic, (implicit,), "outlet")
        consumers = self._ports(topic, topic.consumers, "inlet")
        if not producers and not topic.producers and not (topic.name.endswith(f".{DEAD_LETTERS}")):
            self.problems.append(
                diagnostic(
                    "topic-without-producers",
                    location=self.blueprint.locate(topic.path),
                    topic=topic.name,
                )
            )
        if not topic.consumers:
            self.problems.append(
                diagnostic(
                    "topic-without-consumers",
                    location=self.blueprint.locate(topic.path),
                    topic=topic.name,
                )
            )
        schema = self.schemas.get(producers[0]) if producers else None
        return Connection(topic=topic, producers=producers, consumers=consumers, schema=schema)

    def _ports(
        self, topic: Topic, endpoints: Iterable[Endpoint], direction: Direction
    ) -> tuple[PortRef, ...]:
        refs = []
        for endpoint in endpoints:
            ref = self._endpoint(endpoint, direction)
            if ref is None:
                continue
            first = self.bound.get(ref)
            if first is not None and first != topic.name:
                self._problem(
                    "port-bound-to-many-topics",
                    endpoint,
                    ref.port,
                    path=str(ref),
                    topic=topic.name,
                    first=first,
                )
                continue
            self.bound[ref] = topic.name
            refs.append(ref)
        return tuple(refs)

    def _problem(self, variant: str, endpoint: Endpoint, port: str | None, **values: Any) -> None:
        self.problems.append(
            diagnostic(
                variant,
                location=self.blueprint.locate(endpoint.path),
                streamlet=endpoint.streamlet,
                port=port,
                **values,
            )
        )

    def _endpoint(self, endpoint: Endpoint, direction: Direction) -> PortRef | None:
        if not _PORT_PATH.match(endpoint.text):
            location = self.blueprint.locate(
                endpoint.path
            )  # names no streamlet: it has no valid one
            self.problems.append(
                diagnostic("invalid-port-path", location=location, path=endpoint.text)
            )
            return None
        name, port_name = endpoint.streamlet, endpoint.port
        if name not in self.blueprint.streamlets:
            if self.blueprint.source.position(("streamlets", name)) is not None:
                return None  # written, but its entry is malformed; already reported
            names = list(self.blueprint.streamlets)
            self._problem(
                "port-not-found/streamlet",
                endpoint,
                port_name,
                name=name,
                suggestion=did_you_mean(name, names),
                choices=quote_list(names, conjunction="and"),
            )
            return None
        instance = self.instances.get(name)
        if instance is None:
            return None  # the class was not found; already reported
        if port_name == DEAD_LETTERS and direction == "outlet":
            return self._dead_letters(endpoint, instance)
        port = self._find_port(endpoint, instance, direction)
        if port is None:
            return None
        ref = PortRef(name, port.name)
        self.schemas[ref] = port.schema
        return ref

    def _dead_letters(self, endpoint: Endpoint, instance: Instance) -> PortRef | None:
        if instance.entry.on_error != "dead-letter":
            self._problem(
                "port-not-found/port",
                endpoint,
                DEAD_LETTERS,
                name=instance.name,
                cls=instance.spec.ref,
                direction="outlet",
                port_name=DEAD_LETTERS,
                suggestion='set on-error = "dead-letter" on the streamlet to get this outlet; ',
                choices=quote_list((p.name for p in instance.spec.outlets), conjunction="and"),
            )
            return None
        ref = PortRef(instance.name, DEAD_LETTERS)
        self.schemas[ref] = DeadLetter
        return ref

    def _find_port(
        self, endpoint: Endpoint, instance: Instance, direction: Direction
    ) -> Port[Any] | None:
        spec, name = instance.spec, instance.name
        candidates = spec.ports_of(direction)
        choices = quote_list(f"{name}.{p.name}" for p in candidates)
        if endpoint.port is None:
            if len(candidates) == 1:
                return candidates[0]
            if candidates:
                self._problem(
                    "ambiguous-port",
                    endpoint,
                    None,
                    name=name,
                    direction=direction,
                    choices=choices,
                )
            else:
                self._problem(
                    "port-not-found/none",
                    endpoint,
                    None,
                    name=name,
                    cls=spec.ref,
                    direction=direction,
                    a_shape=article(spec.shape),
                    other=_OTHER[direction],
                )
            return None
        port = spec.port(endpoint.port, direction)
        if port is not None:
            return port
        if spec.port(endpoint.port) is not None:
            variant = "invalid-producer-port" if direction == "outlet" else "invalid-consumer-port"
            self._problem(variant, endpoint, endpoint.port, path=endpoint.text, choices=choices)
            return None
        names = [p.name for p in candidates]
        self._problem(
            "port-not-found/port" if candidates else "port-not-found/none",
            endpoint,
            endpoint.port,
            name=name,
            cls=spec.ref,
            direction=direction,
            port_name=endpoint.port,
            suggestion=did_you_mean(endpoint.port, names),
            choices=quote_list(names, conjunction="and"),
            a_shape=article(spec.shape),
            other=_OTHER[direction],
        )
        return None

    # --- graph checks ------------------------------------------------------------

    def _edges(self, connection: Connection) -> list[Edge]:
        edges = []
        topic = connection.topic
        for producer in connection.producers:
            for consumer in connection.consumers:
                out_type, in_type = self.schemas[producer], self.schemas[consumer]
                mismatches = self._compatibility(out_type, in_type)
                if mismatches:
                    endpoint = next(
                        (e for e in topic.consumers if e.streamlet == consumer.streamlet),
                        Endpoint(text=str(consumer), path=topic.path),
                    )
                    self._problem(
                        "incompatible-schema",
                        endpoint,
                        consumer.port,
                        producer=str(producer),
                        consumer=str(consumer),
                        producer_type=self._name(out_type),
                        consumer_type=self._name(in_type),
                        detail="; ".join(str(m) for m in mismatches),
                    )
                edges.append(
                    Edge(
                        topic=topic.name,
                        producer=producer,
                        consumer=consumer,
                        producer_schema=self._name(out_type),
                        consumer_schema=self._name(in_type),
                        compatible=not mismatches,
                        identical=out_type is in_type,
                    )
                )
        return edges

    def _compatibility(self, producer: Any, consumer: Any) -> list[Mismatch]:
        # Many edges share a few schemas: check each pair of types once.
        if producer is consumer:
            return []
        key = (id(producer), id(consumer))
        cached = self._checked.get(key)
        if cached is None:
            cached = self._checked[key] = (producer, consumer, check_compatible(producer, consumer))
        return cached[2]

    def _name(self, schema: Any) -> str:
        name = self._names.get(id(schema))
        if name is None:
            name = self._names[id(schema)] = type_name(schema)
            self._keep.append(schema)  # ids stay unique while the types are alive
        return name

    def _unconnected(self) -> None:
        for name, instance in self.instances.items():
            for port in instance.spec.ports:
                if PortRef(name, port.name) in self.bound:
                    continue
                self.problems.append(self._unconnected_problem(instance, port))

    def _unconnected_problem(self, instance: Instance, port: Port[Any]) -> Diagnostic:
        path = f"{instance.name}.{port.name}"
        schema = type_name(port.schema)
        same = sorted(
            {
                self.bound[ref]
                for ref, tp in self.schemas.items()
                if tp is port.schema and ref in self.bound
            }
        )
        suggestion = f", such as {quote_list(same)}" if same else ""
        variant = "unconnected-inlet" if port.direction == "inlet" else "unconnected-outlet"
        return diagnostic(
            variant,
            location=self.blueprint.locate(instance.entry.path),
            streamlet=instance.name,
            port=port.name,
            path=path,
            schema=schema,
            suggestion=suggestion,
        )

    def _cycles(self, connections: dict[str, Connection]) -> None:
        graph: dict[str, set[str]] = {}
        for connection in connections.values():
            for producer in connection.producers:
                targets = graph.setdefault(producer.streamlet, set())
                targets.update(c.streamlet for c in connection.consumers)
        for cycle in _find_cycles(graph):
            topic = next(
                c for c in connections.values() if any(p.streamlet == cycle[0] for p in c.producers)
            )
            self.problems.append(
                diagnostic(
                    "cycle",
                    location=self.blueprint.locate(topic.topic.path),
                    streamlet=cycle[0],
                    names=quote_list(cycle, conjunction="and"),
                )
            )


def _find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The members of each strongly connected component that has a cycle (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles
