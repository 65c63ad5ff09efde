"""The two baselines of bench/pipeline.py, as in the peer benchmark.

* `gen-chain`: a plain generator chain, no event loop (the ceiling). Its W3
  sink only burns CPU: there is nothing to await.
* `asyncio-queue`: the naive pipeline a user would write, one task per stage,
  `asyncio.Queue(maxsize=1000)` between stages, one record per `await put`
  and `await get` (`eng_asyncio_queue.py` of the peers).

Each `run_*` function runs one workload and returns the sink's (count, sum).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from records import Reading, burn, f_a, f_b, f_keep, f_map, readings

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator

__all__ = ["run_asyncio_queue", "run_gen_chain"]

MAXSIZE = 1000
END = object()

Queue = asyncio.Queue[object]


# --- generator chain -----------------------------------------------------------


def _fan(source: Iterator[Reading]) -> Iterator[Reading]:
    # W2: broadcast to both maps, merge by interleaving.
    for r in source:
        yield f_a(r)
        yield f_b(r)


def run_gen_chain(workload: str, n: int) -> tuple[int, float]:
    """Run `workload` as a generator chain."""
    count, total = 0, 0.0
    if workload == "W1":
        mapped = (f_map(r) for r in readings(n))
        for r in (r for r in mapped if f_keep(r)):
            count += 1
            total += r.value
    elif workload == "W2":
        for r in _fan(readings(n)):
            count += 1
            total += r.value
    else:
        for r in (f_map(r) for r in readings(n)):
            burn(r)
            count += 1
            total += r.value
    return count, total


# --- naive asyncio pipeline ----------------------------------------------------


async def _source(n: int, outs: list[Queue]) -> None:
    for r in readings(n):
        for q in outs:
            await q.put(r)
    for q in outs:
        await q.put(END)


async def _mapper(fn: Callable[[Reading], Reading], qin: Queue, qout: Queue) -> None:
    while True:
        r = await qin.get()
        if r is END:
            await qout.put(END)
            return
        await qout.put(fn(r))  # type: ignore[arg-type]  # not END, so a Reading


async def _filterer(qin: Queue, qout: Queue) -> None:
    while True:
        r = await qin.get()
        if r is END:
            await qout.put(END)
            return
        if f_keep(r):  # type: ignore[arg-type]  # not END, so a Reading
            await qout.put(r)


async def _sink(qin: Queue, ends: int, slow: bool) -> tuple[int, float]:
    count, total = 0, 0.0
    while True:
        r: Any = await qin.get()
        if r is END:
            ends -= 1
            if ends == 0:
                return count, total
            continue
        count += 1
        total += r.value
        if slow:
            burn(r)
            await asyncio.sleep(0)


def _stages(workload: str, n: int) -> list[Coroutine[Any, Any, Any]]:
    q = [Queue(maxsize=MAXSIZE) for _ in range(3)]
    if workload == "W1":
        return [
            _source(n, [q[0]]),
            _mapper(f_map, q[0], q[1]),
            _filterer(q[1], q[2]),
            _sink(q[2], 1, False),
        ]
    if workload == "W2":
        return [
            _source(n, [q[0], q[1]]),
            _mapper(f_a, q[0], q[2]),
            _mapper(f_b, q[1], q[2]),
            _sink(q[2], 2, False),
        ]
    return [_source(n, [q[0]]), _mapper(f_map, q[0], q[1]), _sink(q[1], 1, True)]


async def _pipeline(workload: str, n: int) -> tuple[int, float]:
    tasks = [asyncio.create_task(stage) for stage in _stages(workload, n)]
    results = await asyncio.gather(*tasks)
    count, total = results[-1]
    return count, total


def run_asyncio_queue(workload: str, n: int) -> tuple[int, float]:
    """Run `workload` as one asyncio task per stage joined by bounded queues."""
    return asyncio.run(_pipeline(workload, n))
