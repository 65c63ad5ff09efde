"""The blueprint as data: streamlet instances, topics and where each came from."""

from __future__ import annotations

from typing import Final, Literal, final

import msgspec

from sandbox.blueprint.sourcemap import PathKey, SourceMap
from sandbox.errors import Location

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_CAPACITY",
    "Backoff",
    "Blueprint",
    "Endpoint",
    "LogLevel",
    "OnError",
    "Overflow",
    "Restart",
    "RuntimeKind",
    "StreamletEntry",
    "Topic",
]

RuntimeKind = Literal["async", "thread", "process"]
Restart = Literal["never", "on-failure", "always"]
OnError = Literal["fail", "skip", "dead-letter"]
Overflow = Literal["block", "drop-oldest", "drop-newest", "fail"]
LogLevel = Literal["debug", "info", "warning", "error", "critical"]

DEFAULT_CAPACITY: Final = 1024


@final
class Backoff(msgspec.Struct, frozen=True, kw_only=True):
    """Restart delays grow from `initial` to `maximum` seconds, with jitter."""

    initial: float = 0.1
    maximum: float = 10.0


DEFAULT_BACKOFF: Final = Backoff()


@final
class StreamletEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One streamlet instance of the blueprint.

    `config` holds the layered values (blueprint < config files < --set);
    `config_origin` says where each key was last set, for error messages.
    """

    name: str
    class_ref: str
    path: PathKey
    replicas: int = 1
    config: dict[str, object] = {}
    config_origin: dict[str, Location] = {}
    runtime: RuntimeKind = "async"
    restart: Restart = "never"
    max_restarts: int | None = None
    backoff: Backoff = DEFAULT_BACKOFF
    on_error: OnError = "fail"
    log_level: LogLevel | None = None


@final
class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    """A port path as written in the blueprint (`validation.in`, or `ingress`)."""

    text: str
    path: PathKey

    @property
    def streamlet(self) -> str:
        """The streamlet part of the port path."""
        return self.text.partition(".")[0]

    @property
    def port(self) -> str | None:
        """The port part, or None when it was left out."""
        return self.text.partition(".")[2] or None


@final
class Topic(msgspec.Struct, frozen=True, kw_only=True):
    """A named stream connecting producer outlets to consumer inlets."""

    name: str
    path: PathKey
    producers: tuple[Endpoint, ...] = ()
    consumers: tuple[Endpoint, ...] = ()
    capacity: int = DEFAULT_CAPACITY
    overflow: Overflow = "block"


@final
class Blueprint(msgspec.Struct, frozen=True, kw_only=True):
    """A loaded blueprint file (structure checked, not yet verified)."""

    name: str
    file: str | None
    streamlets: dict[str, StreamletEntry]
    topics: dict[str, Topic]
    source: SourceMap

    def locate(self, path: PathKey) -> Location:
        """The file position of a key path, or of its nearest ancestor."""
        return self.source.locate(path)
