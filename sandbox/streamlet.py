"""The streamlet: a typed stage with inlets, outlets and parameters.

A streamlet is a class deriving from `Streamlet` that declares ports as class
attributes and implements `async def run(self, ctx)`. Its *spec* (ports,
shape, config type) is derived from the class once and cached; its
*descriptor* is the same information as plain data for `describe`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar, final

import msgspec

from sandbox.config import ConfigParam, config_params
from sandbox.errors import StreamletDefinitionError
from sandbox.ports import Direction, Inlet, Outlet, Port, valid_port_name
from sandbox.schema import check_type, fingerprint, json_schema, type_name

if TYPE_CHECKING:
    from types import TracebackType

    import anyio

    from sandbox.clock import Clock

__all__ = [
    "Context",
    "Descriptor",
    "ErrorHandler",
    "PortDescriptor",
    "Shape",
    "Streamlet",
    "StreamletSpec",
    "describe",
    "streamlet_spec",
]

C = TypeVar("C")
Shape = Literal["ingress", "processor", "fan-out", "fan-in", "egress"]


@final
class Context(Generic[C]):
    """What a running streamlet replica gets from the runtime.

    Attributes:
        config: the validated `Config` instance (None when the class has none).
        name: the instance name from the blueprint.
        replica: this replica's index, from 0.
        replicas: how many replicas of the instance run.
        logger: the logger `sandbox.streamlet.<name>`.
        clock: time and timed waits; a fake clock in tests.
        stopping: set when the application is asked to stop; an ingress ends
            cleanly when it sees it.
    """

    def __init__(
        self,
        *,
        config: C,
        name: str,
        clock: Clock,
        stopping: anyio.Event,
        replica: int = 0,
        replicas: int = 1,
        logger: logging.Logger | None = None,
        volumes: Path | None = None,
    ) -> None:
        self.config = config
        self.name = name
        self.replica = replica
        self.replicas = replicas
        self.clock = clock
        self.stopping = stopping
        self.logger = logger or logging.getLogger(f"sandbox.streamlet.{name}")
        self._volumes = volumes
        self.on_error: ErrorHandler | None = None

    def handling(self, record: object) -> _Handling:
        """Apply the streamlet's `on-error` policy to failures in this block.

        A class streamlet opts in per record::

            async for order in self.inlet:
                async with ctx.handling(order):
                    await self.out.send(enrich(order))

        With `on-error = "skip"` a failure is counted and logged, with
        "dead-letter" the record goes to `<name>.dead-letters`; with "fail"
        (the default) the exception propagates.
        """
        return _Handling(self.on_error, record)

    def volume(self, name: str) -> Path:
        """A local directory for this instance's files, created on first use."""
        base = self._volumes if self._volumes is not None else Path(".sandbox") / "volumes"
        path = base / self.name / name
        path.mkdir(parents=True, exist_ok=True)
        return path


ErrorHandler = Callable[[object, Exception], Awaitable[None]]


@final
class _Handling:
    def __init__(self, handler: ErrorHandler | None, record: object) -> None:
        self._handler = handler
        self._record = record

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if self._handler is None or not isinstance(exc, Exception):
            return False
        await self._handler(self._record, exc)
        return True


class Streamlet:
    """Base class of class streamlets.

    Declare ports as class attributes (`Inlet(T)`, `Outlet(T)`), parameters
    as a nested `msgspec.Struct` named `Config`, and implement `run`.
    """

    Config: ClassVar[type[msgspec.Struct] | None] = None

    # `Any`: subclasses narrow the parameter to `Context[Config]`, which an
    # `object` parameter would forbid (arguments are contravariant).
    async def run(self, ctx: Context[Any]) -> None:
        """Process records until the inlets end (or, for an ingress, until stopping)."""
        msg = f"{type(self).__name__} must implement 'async def run(self, ctx)'"
        raise NotImplementedError(msg)


@final
class StreamletSpec:
    """What the runtime and verification need to know about a streamlet class."""

    def __init__(
        self,
        cls: type[Streamlet],
        ports: tuple[Port[Any], ...],
        config_type: type[msgspec.Struct] | None,
    ) -> None:
        self.cls = cls
        self.ref = f"{cls.__module__}:{cls.__qualname__}"
        self.ports = ports
        self.inlets = tuple(p for p in ports if isinstance(p, Inlet))
        self.outlets = tuple(p for p in ports if isinstance(p, Outlet))
        self.config_type = config_type
        self.shape = _shape(len(self.inlets), len(self.outlets))

    def port(self, name: str, direction: Direction | None = None) -> Port[Any] | None:
        """The port called `name` (of the given direction), or None."""
        for port in self.ports:
            if port.name == name and direction in (None, port.direction):
                return port
        return None

    def ports_of(self, direction: Direction) -> tuple[Port[Any], ...]:
        """The inlets or the outlets."""
        return self.inlets if direction == "inlet" else self.outlets


def _shape(inlets: int, outlets: int) -> Shape:
    if inlets == 0:
        return "ingress"
    if outlets == 0:
        return "egress"
    if inlets > 1:
        return "fan-in"
    return "processor" if outlets == 1 else "fan-out"


def streamlet_spec(cls: type[Streamlet]) -> StreamletSpec:
    """Derive (once) and return the spec of a streamlet class.

    Raises:
        StreamletDefinitionError: bad port names, duplicate ports, a schema
            msgspec cannot handle, a bad Config, or no ports.
    """
    cached = cls.__dict__.get("__sandbox_spec__")
    if isinstance(cached, StreamletSpec):
        return cached
    if cls.run is Streamlet.run:
        raise StreamletDefinitionError(cls.__qualname__, "it does not implement 'run'")
    if not inspect.iscoroutinefunction(cls.run):
        raise StreamletDefinitionError(cls.__qualname__, "its run method must be 'async def'")
    spec = StreamletSpec(cls, _collect_ports(cls), _config_type(cls))
    type.__setattr__(cls, "__sandbox_spec__", spec)
    return spec


def _collect_ports(cls: type[Streamlet]) -> tuple[Port[Any], ...]:
    by_attribute: dict[str, Port[Any]] = {}
    for klass in reversed(cls.__mro__):
        for attribute, value in vars(klass).items():
            if isinstance(value, Port):
                by_attribute[attribute] = value
            else:
                by_attribute.pop(attribute, None)
    where = cls.__qualname__
    seen: dict[str, Port[Any]] = {}
    for port in by_attribute.values():
        if not valid_port_name(port.name):
            reason = (
                f"port name '{port.name}' is not a lowercase identifier such as 'in' or 'valid'"
            )
            raise StreamletDefinitionError(where, reason, port=port.name)
        if port.name in seen:
            reason = f"two ports are named '{port.name}'; port names must be unique"
            raise StreamletDefinitionError(where, reason, port=port.name)
        seen[port.name] = port
        problem = check_type(port.schema)
        if problem is not None:
            reason = f"the schema {type_name(port.schema)} cannot be a record type: {problem}"
            raise StreamletDefinitionError(where, reason, port=port.name)
    if not seen:
        raise StreamletDefinitionError(where, "it declares no ports (Inlet or Outlet attributes)")
    return tuple(seen.values())


def _config_type(cls: type[Streamlet]) -> type[msgspec.Struct] | None:
    config = getattr(cls, "Config", None)
    if config is None:
        return None
    if not (isinstance(config, type) and issubclass(config, msgspec.Struct)):
        reason = f"its Config must be a msgspec.Struct subclass, found {config!r}"
        raise StreamletDefinitionError(cls.__qualname__, reason)
    problem = check_type(config)  # one line naming the field, unlike msgspec's own error
    if problem is not None:
        reason = f"its Config cannot be validated by msgspec: {problem}"
        raise StreamletDefinitionError(cls.__qualname__, reason)
    return config


@final
class PortDescriptor(msgspec.Struct, frozen=True, kw_only=True):
    """A port as data."""

    name: str
    direction: Direction
    schema: str
    fingerprint: str
    json_schema: dict[str, object]


@final
class Descriptor(msgspec.Struct, frozen=True, kw_only=True):
    """A streamlet class as data: what `sandbox describe` prints."""

    name: str
    doc: str | None
    shape: Shape
    ports: list[PortDescriptor]
    config: list[ConfigParam]


def describe(streamlet: type[Streamlet] | Streamlet) -> Descriptor:
    """Describe a streamlet class (or the class of an instance) as data."""
    cls = streamlet if isinstance(streamlet, type) else type(streamlet)
    spec = streamlet_spec(cls)
    return Descriptor(
        name=spec.ref,
        doc=inspect.getdoc(cls),
        shape=spec.shape,
        ports=[
            PortDescriptor(
                name=port.name,
                direction=port.direction,
                schema=type_name(port.schema),
                fingerprint=fingerprint(port.schema),
                json_schema=json_schema(port.schema),
            )
            for port in spec.ports
        ],
        config=config_params(spec.config_type),
    )
