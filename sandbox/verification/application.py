"""The verified application: instances, resolved topics and edges."""

from __future__ import annotations

from typing import Any, final

import msgspec

from sandbox.blueprint.model import Blueprint, StreamletEntry, Topic
from sandbox.errors import Diagnostic
from sandbox.streamlet import StreamletSpec

__all__ = ["Application", "Connection", "Edge", "Instance", "PortRef", "Report"]


@final
class PortRef(msgspec.Struct, frozen=True, order=True):
    """A resolved port: streamlet instance and port name."""

    streamlet: str
    port: str

    def __str__(self) -> str:
        return f"{self.streamlet}.{self.port}"


@final
class Instance(msgspec.Struct, frozen=True, kw_only=True):
    """A streamlet instance whose class was found; `config` is None until valid."""

    entry: StreamletEntry
    spec: StreamletSpec
    config: object = None

    @property
    def name(self) -> str:
        """The instance name."""
        return self.entry.name


@final
class Connection(msgspec.Struct, frozen=True, kw_only=True):
    """A topic with its ports resolved."""

    topic: Topic
    producers: tuple[PortRef, ...]
    consumers: tuple[PortRef, ...]
    schema: Any = None  # the producers' record type, when known

    @property
    def name(self) -> str:
        """The topic name."""
        return self.topic.name


@final
class Edge(msgspec.Struct, frozen=True, kw_only=True):
    """One producer -> consumer pair of a topic."""

    topic: str
    producer: PortRef
    consumer: PortRef
    producer_schema: str
    consumer_schema: str
    compatible: bool = True
    identical: bool = True


@final
class Application(msgspec.Struct, frozen=True, kw_only=True):
    """A blueprint with classes, ports and schemas resolved as far as possible."""

    blueprint: Blueprint
    instances: dict[str, Instance]
    connections: dict[str, Connection]
    edges: tuple[Edge, ...]

    @property
    def name(self) -> str:
        """The application name."""
        return self.blueprint.name


@final
class Report(msgspec.Struct, frozen=True, kw_only=True):
    """What `verify` found: every problem, and the application when it loaded."""

    file: str | None
    diagnostics: tuple[Diagnostic, ...]
    application: Application | None = None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The problems of severity error."""
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The problems of severity warning."""
        return tuple(d for d in self.diagnostics if d.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors
