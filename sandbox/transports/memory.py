"""The sandbox's transport: bounded in-memory buffers, one per consumer replica."""

from __future__ import annotations

from typing import TYPE_CHECKING, final

import msgspec

from sandbox.records import DeadLetter
from sandbox.transports.base import InletEndpoint, OutletEndpoint, TopicStatistics
from sandbox.transports.buffer import Buffer
from sandbox.transports.channels import BATCH_MAX, Reader, Route, Writer
from sandbox.verification import DEAD_LETTERS, Application, PortRef

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MemoryTransport"]


def _checked_schemas(application: Application) -> dict[tuple[str, str], type]:
    """Outlet schemas a record can be checked against cheaply: Struct classes."""
    schemas: dict[tuple[str, str], type] = {}
    for name, instance in application.instances.items():
        for port in instance.spec.outlets:
            schema: object = port.schema  # may be a union or Any despite the annotation
            if isinstance(schema, type) and issubclass(schema, msgspec.Struct):
                schemas[(name, port.name)] = schema
    schemas.update(
        {
            (p.streamlet, p.port): DeadLetter
            for c in application.connections.values()
            for p in c.producers
            if p.port == DEAD_LETTERS
        }
    )
    return schemas


def _key(application: Application, producer: PortRef) -> Callable[[object], object] | None:
    instance = application.instances.get(producer.streamlet)
    port = instance.spec.port(producer.port, "outlet") if instance else None
    key: Callable[[object], object] | None = getattr(port, "key", None)
    return key


@final
class MemoryTransport:
    """Wires every topic of a verified application into in-memory buffers.

    Each consuming streamlet replica gets its own buffer per inlet (fan-out:
    every consuming streamlet sees every record); each producing outlet
    replica writes to one route per consuming streamlet, which picks the
    replica by key or round-robin (fan-in: producers merge into the buffer).
    """

    def __init__(self, application: Application, *, batch_max: int = BATCH_MAX) -> None:
        self._batch_max = batch_max
        self._buffers: dict[tuple[str, str, int], Buffer] = {}
        self._labels: dict[tuple[str, str, int], str] = {}
        self._routes: dict[PortRef, list[Route]] = {}
        self._schemas = _checked_schemas(application)
        replicas = {name: e.replicas for name, e in application.blueprint.streamlets.items()}
        for connection in application.connections.values():
            topic = connection.topic
            writers = sum(replicas[p.streamlet] for p in connection.producers)
            consumers = []
            for consumer in connection.consumers:
                buffers = []
                for replica in range(replicas[consumer.streamlet]):
                    label = f"{topic.name} -> {consumer}[{replica}]"
                    buffer = Buffer(topic.capacity, writers, topic.overflow, label)
                    self._buffers[(consumer.streamlet, consumer.port, replica)] = buffer
                    self._labels[(consumer.streamlet, consumer.port, replica)] = topic.name
                    buffers.append(buffer)
                consumers.append(buffers)
            for producer in connection.producers:
                key = _key(application, producer)
                self._routes[producer] = [Route(buffers, key) for buffers in consumers]

    def inlet(self, streamlet: str, port: str, replica: int) -> InletEndpoint[object]:
        """The reader of one inlet replica's buffer."""
        return Reader(self._buffers[(streamlet, port, replica)])

    def outlet(self, streamlet: str, port: str, replica: int) -> OutletEndpoint[object]:
        """A writer for one outlet replica (routes shared by its replicas)."""
        routes = self._routes.get(PortRef(streamlet, port), [])
        schema = self._schemas.get((streamlet, port))
        label = f"outlet '{port}' of '{streamlet}'"
        return Writer(routes, batch_max=self._batch_max, schema=schema, label=label)

    def topics(self) -> list[TopicStatistics]:
        """Fill, drops and backpressure per consumer replica buffer."""
        return [
            TopicStatistics(
                topic=self._labels[key],
                consumer=f"{key[0]}.{key[1]}",
                replica=key[2],
                buffered=b.size,
                capacity=b.capacity,
                dropped=b.dropped,
                blocked_seconds=b.blocked_seconds,
            )
            for key, b in self._buffers.items()
        ]

    def buffered(self) -> int:
        """Records waiting in buffers."""
        return sum(b.size for b in self._buffers.values())

    def discard(self) -> int:
        """Drop every buffered record; return how many."""
        return sum(b.clear() for b in self._buffers.values())
