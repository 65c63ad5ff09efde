"""`FakeClock`: time that moves only when a test says so, and `wait_idle`.

A streamlet sees time through `ctx.clock` (`now()` and `sleep()`). In tests the
runtime is given a `FakeClock`: `sleep` parks the caller until the test calls
`advance`, which wakes sleepers in deadline order (ties in the order they went
to sleep) and lets every woken task run until the event loop is idle before it
moves on to the next deadline. With `autojump=True` the clock advances by
itself to the next deadline whenever every task is idle, so a rate-limited
ingress runs at full speed and a restart backoff takes no real time.

*Idle* means the event loop has no callback ready to run: every task waits on
something. asyncio does not expose that, so it is read from the loop's ready
queue (CPython's `BaseEventLoop._ready`); on loops without one, a fixed number
of turns stands in for it. Tasks waiting on a worker thread count as idle.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Sized
from typing import Final, final

__all__ = ["FakeClock", "Sleeper", "loop_idle", "wait_idle"]

# Deadlines are sums of floats; treat values this close as equal so that
# `advance(0.1)` three times wakes a `sleep(0.3)`.
_EPSILON: Final = 1e-9
# `wait_idle` gives up after this many loop turns: something never stops running.
_MAX_TURNS: Final = 100_000
# Turns that stand in for idleness on loops without a readable ready queue.
_BLIND_TURNS: Final = 64


def _ready_queue(loop: asyncio.AbstractEventLoop) -> Sized | None:
    # CPython's selector and proactor loops keep callbacks due now in `_ready`;
    # there is no public way to ask whether any task can run.
    ready = getattr(loop, "_ready", None)
    return ready if isinstance(ready, Sized) else None


def loop_idle() -> bool | None:
    """Whether no callback is ready on the running loop (None: cannot tell)."""
    ready = _ready_queue(asyncio.get_running_loop())
    return None if ready is None else not ready


async def wait_idle(max_turns: int = _MAX_TURNS) -> None:
    """Let every other task run until all of them wait on something.

    Returns when the event loop has nothing ready to run besides the caller,
    or after `max_turns` turns of the loop (a task that never waits, such as
    a busy loop of `sleep(0)`, would otherwise keep this from returning).
    """
    ready = _ready_queue(asyncio.get_running_loop())
    turns = max_turns if ready is not None else min(max_turns, _BLIND_TURNS)
    for _ in range(turns):
        await asyncio.sleep(0)
        if ready is not None and not ready:
            return


@final
class Sleeper:
    """A task parked in `FakeClock.sleep`: when it wakes and who it is."""

    __slots__ = ("deadline", "future", "order", "task")

    def __init__(
        self, deadline: float, order: int, future: asyncio.Future[None], task: str
    ) -> None:
        self.deadline = deadline
        self.order = order
        self.future = future
        self.task = task

    def __lt__(self, other: Sleeper) -> bool:
        return (self.deadline, self.order) < (other.deadline, other.order)

    def __repr__(self) -> str:
        return f"Sleeper({self.task!r} until {self.deadline:g})"


@final
class FakeClock:
    """A `Clock` for tests: `now()` moves only through `advance` (or autojump).

    Args:
        start: the initial value of `now()`.
        autojump: advance to the next deadline by itself whenever every task is
            idle, so code that sleeps on the clock runs without waiting.

    Example:
        clock = FakeClock()
        async with open_streamlet(Aggregate, clock=clock) as probe:
            await probe.send("in", record)
            await clock.advance(5)
    """

    def __init__(self, start: float = 0.0, *, autojump: bool = False) -> None:
        self._now = float(start)
        self._sleepers: list[Sleeper] = []
        self._order = itertools.count()
        self._autojump = autojump
        self._jump: asyncio.Handle | None = None

    def __repr__(self) -> str:
        mode = ", autojump=True" if self._autojump else ""
        return f"FakeClock(now={self._now:g}{mode}, sleepers={len(self.sleepers)})"

    # --- the Clock protocol ----------------------------------------------------

    def now(self) -> float:
        """The fake time, in seconds."""
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Park the caller until the clock has advanced by `seconds`.

        A zero or negative duration only lets other tasks run.
        """
        if not seconds > 0:  # also NaN
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        sleeper = Sleeper(
            self._now + seconds if math.isfinite(seconds) else math.inf,
            next(self._order),
            loop.create_future(),
            task.get_name() if task is not None else "?",
        )
        heapq.heappush(self._sleepers, sleeper)
        if self._autojump:
            self._schedule_jump(loop)
        try:
            await sleeper.future
        finally:
            # Cancelled: the entry stays in the heap, done, and is skipped.
            sleeper.future.cancel()

    # --- control ---------------------------------------------------------------

    @property
    def autojump(self) -> bool:
        """Whether the clock advances by itself when every task is idle."""
        return self._autojump

    @autojump.setter
    def autojump(self, value: bool) -> None:
        self._autojump = value
        if value and self.sleepers:
            self._schedule_jump(asyncio.get_running_loop())

    @property
    def sleepers(self) -> list[Sleeper]:
        """Tasks asleep on this clock, earliest deadline first."""
        return sorted(s for s in self._sleepers if not s.future.done())

    @property
    def next_deadline(self) -> float | None:
        """When the next sleeper wakes, or None when nobody sleeps."""
        self._prune()
        return self._sleepers[0].deadline if self._sleepers else None

    async def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, waking sleepers on the way.

        Sleepers wake in deadline order; after each deadline every woken task
        runs until the loop is idle, so a task that sleeps again within the
        advanced span wakes again, in order. Returns when `now()` is the new
        time and everything woken has had its turn.

        Raises:
            ValueError: `seconds` is negative or not a number.
        """
        if not seconds >= 0:
            msg = f"FakeClock.advance() takes a duration >= 0 seconds, got {seconds!r}"
            raise ValueError(msg)
        await self.advance_to(self._now + seconds)

    async def advance_to(self, when: float) -> None:
        """Move time forward to `when` (not backwards), waking sleepers on the way.

        Raises:
            ValueError: `when` is before `now()`.
        """
        if when < self._now - _EPSILON:
            msg = f"FakeClock.advance_to({when!r}) would move time back from {self._now!r}"
            raise ValueError(msg)
        await wait_idle()
        while (deadline := self.next_deadline) is not None and deadline <= when + _EPSILON:
            self._now = max(self._now, deadline)
            self._wake_due()
            await wait_idle()
        self._now = max(self._now, when)
        await wait_idle()

    async def run_until_idle(self) -> None:
        """Advance from deadline to deadline until nobody sleeps on the clock.

        Only sensible when the sleepers eventually stop sleeping; an ingress
        that sleeps between records forever keeps this going forever.
        """
        await wait_idle()
        while (deadline := self.next_deadline) is not None and math.isfinite(deadline):
            await self.advance_to(deadline)

    # --- internals -------------------------------------------------------------

    def _prune(self) -> None:
        heap = self._sleepers
        while heap and heap[0].future.done():
            heapq.heappop(heap)

    def _wake_due(self) -> None:
        heap = self._sleepers
        while heap and heap[0].deadline <= self._now + _EPSILON:
            sleeper = heapq.heappop(heap)
            if not sleeper.future.done():
                sleeper.future.set_result(None)

    def _schedule_jump(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._jump is None:
            self._jump = loop.call_soon(self._check_jump, loop)

    def _check_jump(self, loop: asyncio.AbstractEventLoop) -> None:
        # Runs as a plain loop callback, once per loop turn while anybody sleeps:
        # it jumps only when it is the last thing the loop had to do.
        self._jump = None
        if not self._autojump or loop.is_closed():
            return
        deadline = self.next_deadline
        if deadline is None or not math.isfinite(deadline):
            return  # the next `sleep` schedules the check again
        ready = _ready_queue(loop)
        if ready is None or not ready:
            self._now = max(self._now, deadline)
            self._wake_due()
        self._schedule_jump(loop)
