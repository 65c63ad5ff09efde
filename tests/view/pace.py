"""Streamlets with a pace: a source as fast as allowed, a slow sink, a stuck one.

Blueprints written by the tests name them through `REF` (this module's import
name), or as `pace:<Class>` with this directory on `PYTHONPATH` (tmux tests).
"""

from __future__ import annotations

import msgspec

from sandbox import Context, Inlet, Outlet, Streamlet, processor

REF = __name__


class Tick(msgspec.Struct, frozen=True, kw_only=True):
    """A numbered record."""

    n: int
    label: str


class Source(Streamlet):
    """Sends ticks as fast as its consumers take them, until stopped or `limit`."""

    out = Outlet(Tick)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """How many ticks (None: until stopped), and the pause between them."""

        limit: int | None = None
        pause: float = 0.0

    async def run(self, ctx: Context[Config]) -> None:
        """Send ticks until stopped, or until `limit` ticks."""
        n = 0
        limit = ctx.config.limit
        while not ctx.stopping.is_set() and (limit is None or n < limit):
            await self.out.send(Tick(n=n, label=f"tick-{n}"))
            n += 1
            if ctx.config.pause:
                await ctx.clock.sleep(ctx.config.pause)


@processor
def relay(tick: Tick) -> Tick:
    """Passes ticks on."""
    return tick


class Slow(Streamlet):
    """Takes `delay` seconds per tick."""

    inlet = Inlet(Tick, name="in")

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """Seconds per tick."""

        delay: float = 0.01

    async def run(self, ctx: Context[Config]) -> None:
        """Sleep per tick."""
        async for _ in self.inlet:
            await ctx.clock.sleep(ctx.config.delay)


class Stuck(Streamlet):
    """Waits for an event that is set only when the run stops, then drains."""

    inlet = Inlet(Tick, name="in")

    async def run(self, ctx: Context[None]) -> None:
        """Wait for the stop, then take every tick."""
        await ctx.stopping.wait()
        async for _ in self.inlet:
            pass
