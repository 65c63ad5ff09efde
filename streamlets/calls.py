"""The call-records example: call records aggregated per user by keyed replicas.

In the spirit of Cloudflow's call-record-aggregator: the ingress keys each
record by user, so every record of one user reaches the same replica of the
aggregator, in order, and per-user state needs no coordination.
"""

from __future__ import annotations

import datetime
import random
from typing import Annotated, Literal

import msgspec

from sandbox import Context, Inlet, Outlet, Streamlet


class CallRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One finished phone call."""

    user: str
    other: str
    direction: Literal["incoming", "outgoing"]
    duration: int  # seconds
    timestamp: float  # seconds since the ingress started


class CallStats(msgspec.Struct, frozen=True, kw_only=True):
    """Calls of one user in one window."""

    user: str
    window_end: float  # seconds since the aggregator started
    calls: int
    total_duration: int
    average_duration: float


class CallRecordIngress(Streamlet):
    """Generates call records for `users` users at `rate` records per second."""

    out = Outlet(CallRecord, key=lambda record: record.user)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """Parameters of the generator."""

        rate: Annotated[float, msgspec.Meta(gt=0)] = 50.0
        users: Annotated[int, msgspec.Meta(ge=1)] = 20
        limit: Annotated[int, msgspec.Meta(ge=0)] | None = None
        seed: int | None = None

    async def run(self, ctx: Context[Config]) -> None:
        """Emit records until stopped, or until `limit` records."""
        cfg = ctx.config
        rng = random.Random(cfg.seed)
        users = [f"user-{i:03d}" for i in range(cfg.users)]
        start = ctx.clock.now()
        sent = 0
        while not ctx.stopping.is_set() and (cfg.limit is None or sent < cfg.limit):
            user, other = rng.sample(users, 2) if len(users) > 1 else (users[0], users[0])
            record = CallRecord(
                user=user,
                other=other,
                direction=rng.choice(("incoming", "outgoing")),
                duration=rng.randint(1, 1800),
                timestamp=round(ctx.clock.now() - start, 3),
            )
            await self.out.send(record)
            sent += 1
            await ctx.clock.sleep(1.0 / cfg.rate)


class Aggregate(Streamlet):
    """Sums calls per user over tumbling windows of `window`."""

    inlet = Inlet(CallRecord, name="in")
    out = Outlet(CallStats)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """The window length."""

        window: datetime.timedelta = datetime.timedelta(seconds=5)

    async def run(self, ctx: Context[Config]) -> None:
        """Emit one CallStats per user per window that saw calls."""
        window = ctx.config.window.total_seconds()
        start = ctx.clock.now()
        window_end = window
        totals: dict[str, list[int]] = {}
        async for record in self.inlet:
            now = ctx.clock.now() - start
            if now >= window_end:
                await self._flush(totals, window_end)
                window_end += window * (1 + int((now - window_end) // window))
            calls = totals.setdefault(record.user, [0, 0])
            calls[0] += 1
            calls[1] += record.duration
        await self._flush(totals, window_end)

    async def _flush(self, totals: dict[str, list[int]], window_end: float) -> None:
        for user, (calls, duration) in sorted(totals.items()):
            await self.out.send(
                CallStats(
                    user=user,
                    window_end=window_end,
                    calls=calls,
                    total_duration=duration,
                    average_duration=duration / calls,
                )
            )
        totals.clear()
