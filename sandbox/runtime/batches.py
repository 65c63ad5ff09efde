"""The fast path for function streamlets: the function is called over whole batches.

A processor takes a batch from its inlet, maps it with one list
comprehension and hands the result to its outlet. When a record fails, the
batch is handled again record by record so `on-error` can skip or
dead-letter just that record; with `fail`, the whole batch is put back for
redelivery (nothing of it was sent).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from functools import partial
from itertools import chain, islice
from operator import is_not
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator

    from sandbox.functions import FunctionInfo
    from sandbox.runtime.kinds import Executor
    from sandbox.streamlet import Context, ErrorHandler
    from sandbox.transports.base import InletEndpoint, OutletEndpoint

__all__ = ["batch_function", "run_function"]

_CHUNK_SECONDS = 0.001
_CHUNK_MAX = 512
_NOT_NONE = partial(is_not, None)


def batch_function(
    info: FunctionInfo, call: Callable[..., Any]
) -> Callable[[list[object]], list[object]]:
    """A sync function mapping an input batch to the output batch."""
    # map/filter/deque keep the per-record loop in C: only `call` runs Python.
    if info.kind == "egress":

        def egress(batch: list[object]) -> list[object]:
            deque(map(call, batch), maxlen=0)
            return []

        return egress
    if info.many:
        return lambda batch: list(chain.from_iterable(map(call, batch)))
    return lambda batch: list(filter(_NOT_NONE, map(call, batch)))


async def _one_async(info: FunctionInfo, call: Callable[..., Any], record: object) -> list[object]:
    result = await call(record)
    if info.kind == "egress":
        return []
    if info.many:
        return list(result)
    return [] if result is None else [result]


def run_function(
    info: FunctionInfo,
    ctx: Context[Any],
    inlet: InletEndpoint[object] | None,
    outlet: OutletEndpoint[object] | None,
    executor: Executor,
    on_error: ErrorHandler | None,
) -> Coroutine[Any, Any, None]:
    """The coroutine that runs a function streamlet until its input ends
    (or, for an ingress, until stopping).

    It is the loop itself, not a wrapper around it, so a task running it
    resumes through as few frames as possible.
    """
    call = info.bind(ctx)
    if info.kind == "ingress":
        assert outlet is not None  # an ingress function always has `out`
        return _ingress(info, call, ctx, outlet)
    assert inlet is not None  # processors and egresses always have `in`
    if info.is_async:
        return _records_async(info, call, inlet, outlet, on_error)
    return _batches(info, call, inlet, outlet, executor, on_error)


async def _batches(
    info: FunctionInfo,
    call: Callable[..., Any],
    inlet: InletEndpoint[object],
    outlet: OutletEndpoint[object] | None,
    executor: Executor,
    on_error: ErrorHandler | None,
) -> None:
    apply = batch_function(info, call)
    while (batch := await inlet.receive_batch()) is not None:
        inlet.hold(batch)
        try:
            out = await executor.map(apply, batch, info)
        except Exception:
            if on_error is None:
                raise
            out = await _records(info, apply, batch, executor, on_error)
        inlet.done()
        if out and outlet is not None:
            await outlet.send_many(out)


async def _records(
    info: FunctionInfo,
    apply: Callable[[list[object]], list[object]],
    batch: list[object],
    executor: Executor,
    on_error: ErrorHandler,
) -> list[object]:
    # Record by record, where the batch ran (a worker thread or process too),
    # so on-error can skip or dead-letter just the record that fails.
    out: list[object] = []
    for record in batch:
        try:
            out.extend(await executor.map(apply, [record], info))
        except Exception as exc:
            await on_error(record, exc)
    return out


async def _records_async(
    info: FunctionInfo,
    call: Callable[..., Any],
    inlet: InletEndpoint[object],
    outlet: OutletEndpoint[object] | None,
    on_error: ErrorHandler | None,
) -> None:
    egress = info.kind == "egress"
    while (batch := await inlet.receive_batch()) is not None:
        inlet.hold(batch)
        out: list[object] = []
        for record in batch:
            try:
                if egress:
                    await call(record)
                else:
                    out.extend(await _one_async(info, call, record))
            except Exception as exc:
                if on_error is None:
                    raise
                await on_error(record, exc)
        inlet.done()
        if out and outlet is not None:
            await outlet.send_many(out)


async def _ingress(
    info: FunctionInfo, call: Callable[..., Any], ctx: Context[Any], outlet: OutletEndpoint[object]
) -> None:
    if info.is_async_gen:
        agen = call()
        try:
            async for record in agen:
                await outlet.send(record)
                if ctx.stopping.is_set():
                    break
        finally:
            await agen.aclose()
        return
    await _sync_ingress(call(), ctx, outlet)


async def _sync_ingress(
    records: Iterator[object], ctx: Context[Any], outlet: OutletEndpoint[object]
) -> None:
    # Chunks grow while the generator is fast and shrink when it is slow, so a
    # trickling generator hands over each record at once.
    size = 1
    while not ctx.stopping.is_set():
        started = time.perf_counter()
        chunk = list(islice(records, size))
        if not chunk:
            return
        took = time.perf_counter() - started
        await outlet.send_many(chunk)
        await outlet.flush()
        size = min(size * 2, _CHUNK_MAX) if took < _CHUNK_SECONDS else max(1, size // 2)
        await asyncio.sleep(0)  # let consumers run: a generator never yields by itself
