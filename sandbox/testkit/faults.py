"""Faulty edges: a topic that drops, duplicates or delays records.

`faults={"metrics": Drop(every=3)}` puts a streamlet between the producers
and the consumers of a topic; it drops, duplicates or delays (on `ctx.clock`)
the records it hits, to test a consumer's tolerance and idempotency.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from typing import TYPE_CHECKING, Any, Final, final

import anyio

from sandbox.ports import Inlet, Outlet
from sandbox.streamlet import Context, Streamlet
from sandbox.testkit.parts import cached_class, named_class

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sandbox.testkit.plan import Plan
    from sandbox.transports.base import InletEndpoint, OutletEndpoint

__all__ = ["Delay", "Drop", "Duplicate", "Fault", "add_fault", "fault_class"]


class Fault:
    """What happens to records on a faulty edge; which records it hits.

    Args:
        every: hit every `every`-th record (counted from 1 on this edge).
        at: hit these record numbers.
        where: hit records for which this returns True.

    With none of them given, every record is hit.
    """

    def __init__(
        self,
        *,
        every: int | None = None,
        at: Iterable[int] = (),
        where: Callable[[Any], bool] | None = None,
    ) -> None:
        if every is not None and every < 1:
            msg = f"{type(self).__name__}(every=...) must be >= 1, got {every}"
            raise ValueError(msg)
        self.every = every
        self.at = frozenset(at)
        self.where = where

    def hits(self, index: int, record: object) -> bool:
        """Whether record number `index` (from 1) is hit."""
        if self.every is None and not self.at and self.where is None:
            return True
        return (
            (self.every is not None and index % self.every == 0)
            or index in self.at
            or (self.where is not None and bool(self.where(record)))
        )

    def __repr__(self) -> str:
        parts = [f"every={self.every}"] if self.every is not None else []
        if self.at:
            parts.append(f"at={sorted(self.at)}")
        if self.where is not None:
            parts.append("where=...")
        return f"{type(self).__name__}({', '.join(parts)})"


@final
class Drop(Fault):
    """Drop the records hit: they never reach the consumers."""


@final
class Duplicate(Fault):
    """Deliver the records hit `copies` extra times (at-least-once redelivery).

    Args:
        copies: how many extra copies of each record hit.
        every: see `Fault`.
        at: see `Fault`.
        where: see `Fault`.
    """

    def __init__(
        self,
        copies: int = 1,
        *,
        every: int | None = None,
        at: Iterable[int] = (),
        where: Callable[[Any], bool] | None = None,
    ) -> None:
        super().__init__(every=every, at=at, where=where)
        self.copies = copies


@final
class Delay(Fault):
    """Hold the records hit for `seconds` on `ctx.clock`; others may overtake them.

    Args:
        seconds: how long, on the run's clock (a fake clock in tests).
        every: see `Fault`.
        at: see `Fault`.
        where: see `Fault`.
    """

    def __init__(
        self,
        seconds: float,
        *,
        every: int | None = None,
        at: Iterable[int] = (),
        where: Callable[[Any], bool] | None = None,
    ) -> None:
        super().__init__(every=every, at=at, where=where)
        self.seconds = seconds


_SEQUENCE: Final = itertools.count()


class _FaultStreamlet(Streamlet):
    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self._held: list[tuple[float, int, object]] = []
        self._arrived: anyio.Event | None = None
        self._sleeping: anyio.CancelScope | None = None
        self._intake_done = False

    async def run(self, ctx: Context[None]) -> None:
        bound = vars(self)
        inlet: InletEndpoint[object] = bound["inlet"]
        out: OutletEndpoint[object] = bound["out"]
        if not isinstance(self.fault, Delay):
            await self._pass(inlet, out)
            return
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._release, out, ctx)
            await self._hold(inlet, out, ctx, self.fault)

    async def _pass(self, inlet: InletEndpoint[object], out: OutletEndpoint[object]) -> None:
        fault, index = self.fault, 0
        async for record in inlet:
            index += 1
            if not fault.hits(index, record):
                await out.send(record)
            elif isinstance(fault, Duplicate):
                await out.send_many([record] * (1 + fault.copies))

    async def _hold(
        self,
        inlet: InletEndpoint[object],
        out: OutletEndpoint[object],
        ctx: Context[None],
        fault: Delay,
    ) -> None:
        index = 0
        async for record in inlet:
            index += 1
            if not fault.hits(index, record):
                await out.send(record)
                continue
            heapq.heappush(self._held, (ctx.clock.now() + fault.seconds, next(_SEQUENCE), record))
            self._wake()
        self._intake_done = True
        self._wake()

    def _wake(self) -> None:
        if self._arrived is not None:
            self._arrived.set()
        if self._sleeping is not None:
            self._sleeping.cancel()

    async def _release(self, out: OutletEndpoint[object], ctx: Context[None]) -> None:
        held = self._held
        while held or not self._intake_done:
            if not held:
                self._arrived = anyio.Event()
                await self._arrived.wait()
                continue
            due = held[0][0]
            if due <= ctx.clock.now():
                await out.send(heapq.heappop(held)[2])
                continue
            with anyio.CancelScope() as self._sleeping:
                await ctx.clock.sleep(due - ctx.clock.now())
            self._sleeping = None


def fault_class(schema: object) -> type[_FaultStreamlet]:
    """A fault streamlet: inlet `in` and outlet `out` of `schema`."""

    def make() -> type[_FaultStreamlet]:
        attrs: dict[str, object] = {
            "inlet": Inlet(schema, name="in"),  # type: ignore[arg-type]  # a schema object
            "out": Outlet(schema, name="out"),  # type: ignore[arg-type]  # a schema object
        }
        return named_class("FaultyEdge", _FaultStreamlet, attrs)

    return cached_class("fault", schema, make)


def add_fault(plan: Plan, topic: str, fault: Fault, schema: object) -> None:
    """Put a fault streamlet between the producers and the consumers of `topic`.

    The consumers keep the topic's name (collectors of the topic see what the
    fault lets through); the producers write to `<topic>.faulty`.
    """
    original = plan.topics[topic]
    name = plan.unique(f"fault-{topic}")
    cls = fault_class(schema)
    plan.add(name, cls, functools.partial(cls, fault))
    settings: dict[str, Any] = {"capacity": original.capacity, "overflow": original.overflow}
    producers = [e.text for e in original.producers]
    consumers = [e.text for e in original.consumers]
    plan.connect(f"{topic}.faulty", producers, [f"{name}.in"], **settings)
    plan.connect(topic, [f"{name}.out"], consumers, **settings)
