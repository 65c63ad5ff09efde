"""The transport interface: what the runtime needs from whatever carries records.

Streamlet code sees only `InletReader` / `OutletWriter`; the runtime talks to
the richer endpoints below, so a broker transport can replace the in-memory
one without a change to streamlet code.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol, TypeVar, final

import msgspec

from sandbox.ports import InletReader, OutletWriter

__all__ = ["InletEndpoint", "OutletEndpoint", "TopicStatistics", "Transport"]

T = TypeVar("T")


class InletEndpoint(InletReader[T]):
    """An inlet as the runtime drives it."""

    received: int

    @abstractmethod
    async def receive_batch(self, limit: int = 0) -> list[object] | None:
        """The next batch of records, or None when the inlet has ended."""

    @abstractmethod
    def hold(self, batch: list[object]) -> None:
        """Remember `batch` as taken but unfinished (redelivered by `requeue`)."""

    @abstractmethod
    def done(self) -> None:
        """The held batch is finished."""

    @abstractmethod
    def requeue(self) -> int:
        """Put unfinished records back at the front; return how many."""

    @abstractmethod
    def release(self) -> int:
        """Put back the records taken but not yet seen (the replica stopped reading)."""

    @abstractmethod
    def close(self) -> int:
        """The consumer replica has finished: release producers, discard what
        comes later; return how many buffered records it never received."""

    @property
    @abstractmethod
    def ended(self) -> bool:
        """Every producer has finished and nothing is left to receive."""


class OutletEndpoint(OutletWriter[T]):
    """An outlet as the runtime drives it."""

    sent: int

    @property
    @abstractmethod
    def pending(self) -> int:
        """Records sent but not yet handed to the transport."""

    @abstractmethod
    async def flush(self) -> None:
        """Hand every pending record over, waiting for room."""

    @abstractmethod
    def close(self) -> None:
        """The producer replica has finished."""


@final
class TopicStatistics(msgspec.Struct, frozen=True, kw_only=True):
    """One consumer replica's view of a topic."""

    topic: str
    consumer: str
    replica: int
    buffered: int
    capacity: int
    dropped: int
    blocked_seconds: float


class Transport(Protocol):
    """Creates the endpoints of every port replica of a verified application."""

    def inlet(self, streamlet: str, port: str, replica: int) -> InletEndpoint[object]:
        """The endpoint of one inlet replica."""
        ...

    def outlet(self, streamlet: str, port: str, replica: int) -> OutletEndpoint[object]:
        """The endpoint of one outlet replica."""
        ...

    def topics(self) -> list[TopicStatistics]:
        """Buffer fill, drops and backpressure per topic consumer replica."""
        ...

    def buffered(self) -> int:
        """Records in buffers, not yet received by any consumer."""
        ...

    def discard(self) -> int:
        """Drop everything buffered (at cancellation); return how many records."""
        ...
