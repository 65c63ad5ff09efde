"""Time as streamlets see it: `ctx.clock`, real by default, fakeable in tests."""

from __future__ import annotations

import time
from typing import Protocol, final, runtime_checkable

import anyio

__all__ = ["Clock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """A source of time and of timed waits."""

    def now(self) -> float:
        """Seconds on a monotonic scale; only differences are meaningful."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait until `now()` has advanced by `seconds`."""
        ...


@final
class SystemClock:
    """The real clock: `time.monotonic` and `anyio.sleep`."""

    def now(self) -> float:
        """Seconds since an arbitrary point, from the monotonic clock."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop."""
        await anyio.sleep(seconds)
