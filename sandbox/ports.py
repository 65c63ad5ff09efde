"""Inlets and outlets: how a streamlet declares what it reads and writes.

A port is declared as a class attribute of a streamlet::

    class Validate(Streamlet):
        inlet = Inlet(Metric, name="in")
        valid = Outlet(Metric)

On the class, the attribute is the declaration (`Inlet`, `Outlet`). On a running
instance the runtime binds each port to a transport endpoint, so
`self.inlet` is an `InletReader` (async iterable of records) and `self.valid`
an `OutletWriter` (`await self.valid.send(record)`).
"""

from __future__ import annotations

import keyword
import re
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Final, Generic, Literal, TypeVar, final, overload

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

__all__ = [
    "Direction",
    "EndOfStream",
    "Inlet",
    "InletReader",
    "Outlet",
    "OutletWriter",
    "Port",
    "PortNotBoundError",
    "valid_port_name",
]

T = TypeVar("T")
Direction = Literal["inlet", "outlet"]

_PORT_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")


def valid_port_name(name: str) -> bool:
    """Port names are lowercase identifiers; `in` is allowed though it is a keyword."""
    return bool(_PORT_NAME.match(name)) and (name == "in" or not keyword.iskeyword(name))


class EndOfStream(Exception):  # a signal, not an error (STYLE 2)
    """Raised by `InletReader.receive` when the inlet has ended."""


class PortNotBoundError(SandboxError, RuntimeError):
    """A port was used on a streamlet instance that is not running in a runtime."""


class InletReader(ABC, Generic[T]):
    """The running side of an inlet: what `self.<inlet>` is inside `run`."""

    @abstractmethod
    def __aiter__(self) -> AsyncIterator[T]:
        """Iterate records until every producer upstream has finished."""

    @abstractmethod
    async def receive(self) -> T:
        """Wait for the next record; raises `EndOfStream` when the inlet ended."""


class OutletWriter(ABC, Generic[T]):
    """The running side of an outlet: what `self.<outlet>` is inside `run`."""

    @abstractmethod
    def send(self, record: T) -> Awaitable[None]:
        """Send one record: `await outlet.send(record)` waits while a consumer's buffer is full."""

    @abstractmethod
    async def send_many(self, records: Iterable[T]) -> None:
        """Send records in order; cheaper than `send` per record."""


class Port(Generic[T]):
    """A declared port: its name, direction and record schema."""

    direction: Direction

    def __init__(self, schema: type[T], *, name: str | None = None) -> None:
        self.schema: type[T] = schema
        self._name = name
        self.attribute: str = name or ""

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    @property
    def name(self) -> str:
        """The port's name: `name=` if given, else the attribute name."""
        return self._name or self.attribute

    def __repr__(self) -> str:
        schema = getattr(self.schema, "__name__", repr(self.schema))
        return f"{type(self).__name__}({schema}, name={self.name!r})"

    def _unbound(self, instance: object) -> PortNotBoundError:
        owner = type(instance).__name__
        return PortNotBoundError(
            f"{owner}.{self.name} is not bound: ports work only while the streamlet runs "
            "in a runtime; test it with sandbox.testkit.run_streamlet"
        )


@final
class Inlet(Port[T]):
    """An input port; on a running instance it is an `InletReader[T]`."""

    direction: Direction = "inlet"

    @overload
    def __get__(self, instance: None, owner: type) -> Inlet[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> InletReader[T]: ...
    def __get__(self, instance: object, owner: type) -> Inlet[T] | InletReader[T]:
        # Only reached when the runtime has not bound the port: a bound port
        # lives in the instance __dict__, which wins over this non-data descriptor.
        if instance is None:
            return self
        raise self._unbound(instance)


@final
class Outlet(Port[T]):
    """An output port; on a running instance it is an `OutletWriter[T]`.

    Args:
        schema: the record type.
        key: optional function record -> partition key; records with the same
            key go to the same consumer replica, in order.
        name: the port name, when the attribute name cannot be used.
    """

    direction: Direction = "outlet"

    def __init__(
        self,
        schema: type[T],
        *,
        key: Callable[[T], object] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(schema, name=name)
        self.key = key

    @overload
    def __get__(self, instance: None, owner: type) -> Outlet[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> OutletWriter[T]: ...
    def __get__(self, instance: object, owner: type) -> Outlet[T] | OutletWriter[T]:
        if instance is None:
            return self
        raise self._unbound(instance)
