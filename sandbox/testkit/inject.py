"""Failure injection: a streamlet that raises at the n-th record.

`fail_at(Parse, 3)` is `Parse` failing when it takes its third record; it
tests restart and redelivery (with `restart="on-failure"` the record is
delivered again and succeeds), and with `on_error="skip"`/`"dead-letter"` the
injected failure follows that policy like a real one. Faulty edges are in
`sandbox.testkit.faults`.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, TypeVar, final

from sandbox.functions import FunctionInfo, FunctionStreamlet
from sandbox.ports import InletReader, OutletWriter
from sandbox.streamlet import Context, Streamlet, streamlet_spec

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable

__all__ = ["InjectedFailure", "fail_at"]

T = TypeVar("T")


class InjectedFailure(Exception):  # named for what it is, like the exceptions it stands in for
    """The exception `fail_at` raises unless given another."""


# --- fail_at ---------------------------------------------------------------------


@final
class _Plan:
    """When to fail; the count lives per run (keyed by the run's stopping event)."""

    def __init__(
        self, n: int, times: int | None, exc: BaseException | type[BaseException] | None
    ) -> None:
        self.n = n
        self.times = times
        self.exc = exc
        self._counts: weakref.WeakKeyDictionary[object, list[int]] = weakref.WeakKeyDictionary()

    def delivered(self, ctx: Context[Any]) -> bool:
        """Count one delivery in this run; True when it must fail."""
        count = self._counts.setdefault(ctx.stopping, [0])
        count[0] += 1
        index = count[0]
        return index >= self.n and (self.times is None or index < self.n + self.times)

    def exception(self) -> BaseException:
        """The exception to raise now."""
        exc = self.exc
        if exc is None:
            return InjectedFailure(f"injected failure at record {self.n}")
        return exc() if isinstance(exc, type) else exc


@final
class _FailingInlet(InletReader[T]):
    def __init__(self, reader: InletReader[T], plan: _Plan, ctx: Context[Any]) -> None:
        self._reader = reader
        self._plan = plan
        self._ctx = ctx

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[T]:
        async for record in self._reader:
            if not await self._fails(record):
                yield record

    async def receive(self) -> T:
        while True:
            record = await self._reader.receive()
            if not await self._fails(record):
                return record

    async def _fails(self, record: object) -> bool:
        if not self._plan.delivered(self._ctx):
            return False
        exc = self._plan.exception()
        handler = self._ctx.on_error
        if handler is None or not isinstance(exc, Exception):
            raise exc
        await handler(record, exc)  # on-error skip / dead-letter, as for a real failure
        return True


@final
class _FailingOutlet(OutletWriter[T]):
    def __init__(self, writer: OutletWriter[T], plan: _Plan, ctx: Context[Any]) -> None:
        self._writer = writer
        self._plan = plan
        self._ctx = ctx

    async def send(self, record: T) -> None:
        if self._plan.delivered(self._ctx):
            raise self._plan.exception()
        await self._writer.send(record)

    async def send_many(self, records: Iterable[T]) -> None:
        for record in records:
            await self.send(record)


def _wrap_ports(streamlet: Streamlet, plan: _Plan, ctx: Context[Any]) -> None:
    spec = streamlet_spec(type(streamlet))
    bound = vars(streamlet)
    for inlet in spec.inlets:
        bound[inlet.attribute] = _FailingInlet(bound[inlet.attribute], plan, ctx)
    if not spec.inlets:  # an ingress fails at its n-th record sent
        for outlet in spec.outlets:
            bound[outlet.attribute] = _FailingOutlet(bound[outlet.attribute], plan, ctx)


async def _run_function(streamlet: Streamlet, info: FunctionInfo, ctx: Context[Any]) -> None:
    # Record by record, through the (wrapped) ports, with the on-error policy
    # applied per record as the runtime's batch path does.
    call = info.bind(ctx)
    bound = vars(streamlet)
    out: OutletWriter[object] | None = bound.get("outlet")
    if info.kind == "ingress":
        assert out is not None  # an ingress function always has `out`
        produced = call()
        if info.is_async_gen:
            async for record in produced:
                await out.send(record)
        else:
            for record in produced:
                await out.send(record)
        return
    inlet: InletReader[object] = bound["inlet"]
    async for record in inlet:
        async with ctx.handling(record):
            results = await _call(info, call, record)
            if out is not None:
                await out.send_many(results)


async def _call(info: FunctionInfo, call: Callable[..., Any], record: object) -> list[object]:
    result = call(record)
    if info.is_async_gen:
        return [item async for item in result]
    if info.is_async:
        result = await result
    if info.kind == "egress" or result is None:
        return []
    return list(result) if info.many else [result]


def fail_at(
    streamlet: type[Streamlet],
    n: int,
    *,
    exc: BaseException | type[BaseException] | None = None,
    times: int | None = 1,
) -> type[Streamlet]:
    """`streamlet`, failing when it takes its `n`-th record (an ingress: sends it).

    Deliveries are counted over the whole run, redeliveries included: with
    `restart="on-failure"` the failed record is delivered again first, so
    `times=k` makes it fail `k` times in a row (`times=None`: every delivery
    from the n-th on fails). With `on_error="skip"` or `"dead-letter"` the
    failure follows that policy instead. A function streamlet is then run
    record by record on the event loop.

    Args:
        streamlet: a streamlet class (a function streamlet too).
        n: which delivery fails first, from 1.
        exc: the exception (instance or class); `InjectedFailure` by default.
        times: how many deliveries fail, from the n-th on.

    Raises:
        ValueError: `n` or `times` is below 1.
    """
    if n < 1 or (times is not None and times < 1):
        msg = f"fail_at() needs n >= 1 and times >= 1 (or None), got n={n}, times={times}"
        raise ValueError(msg)
    plan = _Plan(n, times, exc)
    name = f"{streamlet.__qualname__}"
    if issubclass(streamlet, FunctionStreamlet):
        info = streamlet.__sandbox_function__
        spec = streamlet_spec(streamlet)

        async def run_function(self: Streamlet, ctx: Context[Any]) -> None:
            _wrap_ports(self, plan, ctx)
            await _run_function(self, info, ctx)

        attrs: dict[str, object] = {port.attribute: port for port in spec.ports}
        attrs.update(run=run_function, Config=spec.config_type, __doc__=streamlet.__doc__)
        return _failing(name, Streamlet, streamlet, attrs)

    async def run(self: Streamlet, ctx: Context[Any]) -> None:
        _wrap_ports(self, plan, ctx)
        await streamlet.run(self, ctx)

    return _failing(name, streamlet, streamlet, {"run": run, "__doc__": streamlet.__doc__})


def _failing(
    name: str, base: type[Streamlet], original: type[Streamlet], attrs: dict[str, object]
) -> type[Streamlet]:
    cls = type(
        original.__name__,
        (base,),
        {"__module__": original.__module__, "__qualname__": name, **attrs},
    )
    return cls
