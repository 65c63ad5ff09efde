"""Small streamlets the testkit's tests run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import msgspec

from sandbox import Context, Inlet, Outlet, Streamlet, egress, ingress, processor


class Word(msgspec.Struct, frozen=True, kw_only=True):
    """A word and where it came from."""

    text: str
    source: str = "test"


class Upper(Streamlet):
    """Upper-cases words; logs each one."""

    inlet = Inlet(Word, name="in")
    out = Outlet(Word)

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix
        self.seen: list[str] = []

    async def run(self, ctx: Context[None]) -> None:
        async for word in self.inlet:
            self.seen.append(word.text)
            ctx.logger.info("upper %s", word.text)
            await self.out.send(Word(text=word.text.upper() + self.suffix, source=word.source))


class Scale(Streamlet):
    """Multiplies numbers by `factor`."""

    inlet = Inlet(float, name="in")
    out = Outlet(float)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """The factor."""

        factor: Annotated[float, msgspec.Meta(gt=0)] = 2.0

    async def run(self, ctx: Context[Config]) -> None:
        async for x in self.inlet:
            await self.out.send(x * ctx.config.factor)


class Split(Streamlet):
    """Even numbers to `even`, odd ones to `odd`."""

    inlet = Inlet(int, name="in")
    even = Outlet(int)
    odd = Outlet(int)

    async def run(self, ctx: Context[None]) -> None:
        async for n in self.inlet:
            await (self.even if n % 2 == 0 else self.odd).send(n)


class Merge(Streamlet):
    """Reads `left` to its end, then `right`, and sends both."""

    left = Inlet(int)
    right = Inlet(int)
    out = Outlet(int)

    async def run(self, ctx: Context[None]) -> None:
        async for n in self.left:
            await self.out.send(n)
        async for n in self.right:
            await self.out.send(-n)


class Parse(Streamlet):
    """Parses integers; opts in to on-error per record with `ctx.handling`."""

    inlet = Inlet(str, name="in")
    out = Outlet(int)

    async def run(self, ctx: Context[None]) -> None:
        async for text in self.inlet:
            async with ctx.handling(text):
                await self.out.send(int(text))


class Ticker(Streamlet):
    """Sends `count` ticks (the clock's time), sleeping `interval` between them."""

    out = Outlet(float)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """How many ticks, how far apart (count None: until stopped)."""

        count: int | None = 3
        interval: float = 1.0

    async def run(self, ctx: Context[Config]) -> None:
        sent = 0
        while not ctx.stopping.is_set() and (ctx.config.count is None or sent < ctx.config.count):
            await self.out.send(ctx.clock.now())
            sent += 1
            await ctx.clock.sleep(ctx.config.interval)


class Timeout(Streamlet):
    """Sends each record, then "timeout" when none came for `seconds` (clock time)."""

    inlet = Inlet(str, name="in")
    out = Outlet(str)

    async def run(self, ctx: Context[None]) -> None:
        async for text in self.inlet:
            await self.out.send(text)
        await ctx.clock.sleep(10)
        await self.out.send("late")


class Stuck(Streamlet):
    """Never reads its inlet: it waits for `ctx.stopping`."""

    inlet = Inlet(int, name="in")
    out = Outlet(int)

    async def run(self, ctx: Context[None]) -> None:
        await ctx.stopping.wait()


class Collect(Streamlet):
    """An egress remembering what it got (idempotently, by value)."""

    inlet = Inlet(int, name="in")

    def __init__(self) -> None:
        self.seen: set[int] = set()

    async def run(self, ctx: Context[None]) -> None:
        async for n in self.inlet:
            self.seen.add(n)


@processor
def double(x: int) -> int:
    """Doubles."""
    return x * 2


@processor
async def slow_double(x: int) -> int:
    """Doubles, asynchronously."""
    return x * 2


@processor
def explode(x: int) -> list[int]:
    """Emits x copies of x; drops 0."""
    return [x] * x


@processor
def digits(text: str) -> int | None:
    """Parses; None (dropped) for the empty string."""
    return int(text) if text else None


@egress
def discard(x: int) -> None:
    """Ignores its input."""


@ingress
def numbers() -> Iterator[int]:
    """1, 2, 3."""
    yield from (1, 2, 3)


@ingress
async def forever() -> AsyncIterator[int]:
    """0, 1, 2, ... until stopped."""
    n = 0
    while True:
        yield n
        n += 1
