"""Building the application a test runs: instances, topics, classes, factories.

A `Plan` starts empty (one streamlet under test) or from a loaded blueprint
(a whole application), gains the testkit's feeders, collectors and taps, and
is verified like any blueprint: the same checks, the same diagnostics.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, final

from sandbox.blueprint.model import (
    DEFAULT_CAPACITY,
    Blueprint,
    Endpoint,
    Overflow,
    StreamletEntry,
    Topic,
)
from sandbox.blueprint.sourcemap import SourceMap
from sandbox.errors import BlueprintError
from sandbox.verification import Application, verify

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Sequence

    from sandbox.streamlet import Streamlet

__all__ = ["Plan", "dns_name"]

_CAMEL: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_DNS: Final = re.compile(r"[^a-z0-9]+")


def dns_name(text: str, fallback: str = "streamlet") -> str:
    """`text` as a DNS-1123 label: "CallRecordIngress" -> "call-record-ingress"."""
    label = _NOT_DNS.sub("-", _CAMEL.sub("-", text).lower()).strip("-")[:63].strip("-")
    return label or fallback


@final
class Plan:
    """An application under construction.

    Args:
        name: the application name.
        base: a loaded blueprint to start from, or None for an empty one.
    """

    def __init__(self, name: str, base: Blueprint | None = None) -> None:
        self.name = name
        self.file = base.file if base is not None else None
        self.source = base.source if base is not None else SourceMap(None, {})
        self.entries: dict[str, StreamletEntry] = dict(base.streamlets) if base else {}
        self.topics: dict[str, Topic] = dict(base.topics) if base else {}
        self.classes: dict[str, type[Streamlet]] = {}
        self.factories: dict[str, Callable[[], Streamlet]] = {}
        self.roles: dict[str, Callable[[], str | None]] = {}

    def unique(self, stem: str) -> str:
        """An instance name from `stem` that no instance has yet."""
        base = dns_name(stem)
        name, n = base, 1
        while name in self.entries:
            n += 1
            name = f"{base[:60]}-{n}"
        return name

    def add(
        self,
        name: str,
        cls: type[Streamlet],
        factory: Callable[[], Streamlet] | None = None,
        *,
        role: Callable[[], str | None] | None = None,
        entry: StreamletEntry | None = None,
    ) -> None:
        """Add (or replace) instance `name` of `cls`.

        Args:
            name: the instance name.
            cls: its class, used instead of importing a class reference.
            factory: makes the streamlet object of each attempt.
            role: says what a testkit part waits for, for timeout messages.
            entry: the entry with its settings; a default entry if None.
        """
        ref = f"{cls.__module__}:{cls.__qualname__}"
        self.entries[name] = entry or StreamletEntry(
            name=name, class_ref=ref, path=("streamlets", name)
        )
        self.classes[name] = cls
        if factory is not None:
            self.factories[name] = factory
        if role is not None:
            self.roles[name] = role

    def connect(
        self,
        topic: str,
        producers: Iterable[str],
        consumers: Iterable[str],
        *,
        capacity: int = DEFAULT_CAPACITY,
        overflow: Overflow = "block",
    ) -> None:
        """Add (or replace) a topic between port paths."""
        path = ("topics", topic)
        self.topics[topic] = Topic(
            name=topic,
            path=path,
            producers=_endpoints(producers, (*path, "producers")),
            consumers=_endpoints(consumers, (*path, "consumers")),
            capacity=capacity,
            overflow=overflow,
        )

    def blueprint(self) -> Blueprint:
        """The plan as a blueprint."""
        return Blueprint(
            name=self.name,
            file=self.file,
            streamlets=self.entries,
            topics=self.topics,
            source=self.source,
        )

    def verify(
        self,
        config_files: Sequence[str | os.PathLike[str]] = (),
        overrides: Sequence[str] = (),
    ) -> Application:
        """Verify the plan like any blueprint.

        Raises:
            BlueprintError: it has errors (warnings are fine).
        """
        report = verify(
            self.blueprint(), config_files=config_files, overrides=overrides, classes=self.classes
        )
        if not report.ok or report.application is None:
            raise BlueprintError(report.diagnostics)
        return report.application


def _endpoints(texts: Iterable[str], path: tuple[str, ...]) -> tuple[Endpoint, ...]:
    return tuple(Endpoint(text=text, path=(*path, i)) for i, text in enumerate(texts))
