"""Always-on counters and the frozen `Statistics` snapshot built from them."""

from __future__ import annotations

from typing import Literal, final

import msgspec

from sandbox.transports.base import InletEndpoint, OutletEndpoint, TopicStatistics

__all__ = [
    "ReplicaState",
    "Slot",
    "Statistics",
    "StreamletStatistics",
]

ReplicaState = Literal[
    "starting", "running", "restarting", "draining", "completed", "failed", "cancelled"
]


@final
class Slot:
    """One replica of one streamlet: its endpoints and counters (mutable, internal)."""

    def __init__(
        self,
        name: str,
        replica: int,
        inlets: dict[str, InletEndpoint[object]],
        outlets: dict[str, OutletEndpoint[object]],
    ) -> None:
        self.name = name
        self.replica = replica
        self.inlets = inlets
        self.outlets = outlets
        self.state: ReplicaState = "starting"
        self.restarts = 0
        self.errors = 0
        self.skipped = 0
        self.dead_letters = 0
        self.stalled = False

    @property
    def label(self) -> str:
        """`name[replica]`."""
        return f"{self.name}[{self.replica}]"


@final
class StreamletStatistics(msgspec.Struct, frozen=True, kw_only=True):
    """Counters of one streamlet instance, summed over its replicas."""

    name: str
    state: str
    replicas: int
    restarts: int
    errors: int
    skipped: int
    dead_letters: int
    records_in: dict[str, int]
    records_out: dict[str, int]
    rate_in: float
    rate_out: float
    stalled: bool = False


@final
class Statistics(msgspec.Struct, frozen=True, kw_only=True):
    """A snapshot of a running (or finished) application."""

    application: str
    elapsed: float
    state: str
    streamlets: dict[str, StreamletStatistics]
    topics: list[TopicStatistics]
    buffered: int

    @property
    def records_in(self) -> int:
        """Records received by all streamlets."""
        return sum(sum(s.records_in.values()) for s in self.streamlets.values())

    @property
    def records_out(self) -> int:
        """Records sent by all streamlets."""
        return sum(sum(s.records_out.values()) for s in self.streamlets.values())


_ORDER: dict[str, int] = {
    "failed": 0,
    "restarting": 1,
    "running": 2,
    "draining": 3,
    "starting": 4,
    "cancelled": 5,
    "completed": 6,
}


def summarise(name: str, slots: list[Slot], rates: tuple[float, float]) -> StreamletStatistics:
    """Sum the replicas of one streamlet; its state is the most notable replica state."""
    records_in: dict[str, int] = {}
    records_out: dict[str, int] = {}
    for slot in slots:
        for port, reader in slot.inlets.items():
            records_in[port] = records_in.get(port, 0) + reader.received
        for port, writer in slot.outlets.items():
            records_out[port] = records_out.get(port, 0) + writer.sent
    return StreamletStatistics(
        name=name,
        state=min((s.state for s in slots), key=_ORDER.__getitem__),
        replicas=len(slots),
        restarts=sum(s.restarts for s in slots),
        errors=sum(s.errors for s in slots),
        skipped=sum(s.skipped for s in slots),
        dead_letters=sum(s.dead_letters for s in slots),
        records_in=records_in,
        records_out=records_out,
        rate_in=rates[0],
        rate_out=rates[1],
        stalled=any(s.stalled for s in slots),
    )
