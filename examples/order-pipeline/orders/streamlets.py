"""The order pipeline's streamlets, written against the public `sandbox` API only."""

from __future__ import annotations

import datetime
import random
from collections import deque
from typing import Annotated

import msgspec

from sandbox import Context, Inlet, Outlet, Streamlet, egress, processor


class RawOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order as it arrives: one JSON line."""

    line: str


class Item(msgspec.Struct, frozen=True, kw_only=True):
    """One line of an order."""

    sku: str
    quantity: Annotated[int, msgspec.Meta(ge=1)]
    price: Annotated[float, msgspec.Meta(ge=0)]


class Order(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed order."""

    id: str
    customer: str
    items: list[Item]

    @property
    def total(self) -> float:
        """What the order costs."""
        return round(sum(i.quantity * i.price for i in self.items), 2)


class Alert(msgspec.Struct, frozen=True, kw_only=True):
    """A customer ordering more often than `limit` times within `window`."""

    customer: str
    orders: int
    at: float  # seconds on the run's clock


class OrderFeed(Streamlet):
    """Generates order lines at `rate` per second (a stand-in for a real source)."""

    out = Outlet(RawOrder, key=lambda raw: raw.line)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """How fast, for how many customers, how many orders in all (None: forever)."""

        rate: Annotated[float, msgspec.Meta(gt=0)] = 5.0
        customers: Annotated[int, msgspec.Meta(ge=1)] = 10
        limit: Annotated[int, msgspec.Meta(ge=0)] | None = None
        seed: int | None = None

    async def run(self, ctx: Context[Config]) -> None:
        """Send lines until stopped or until `limit`."""
        cfg = ctx.config
        rng = random.Random(cfg.seed)
        sent = 0
        while not ctx.stopping.is_set() and (cfg.limit is None or sent < cfg.limit):
            item = Item(sku=f"sku-{rng.randint(1, 50)}", quantity=rng.randint(1, 3), price=9.5)
            order = Order(
                id=f"o-{sent}", customer=f"c-{rng.randrange(cfg.customers)}", items=[item]
            )
            await self.out.send(RawOrder(line=msgspec.json.encode(order).decode()))
            sent += 1
            await ctx.clock.sleep(1 / cfg.rate)


@processor
def parse(raw: RawOrder) -> Order:
    """Decode one line; a malformed line raises (the blueprint dead-letters it)."""
    return msgspec.json.decode(raw.line, type=Order)


class Dedupe(Streamlet):
    """Passes each order id once: redelivered or duplicated orders are dropped."""

    inlet = Inlet(Order, name="in")
    out = Outlet(Order)

    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def run(self, ctx: Context[None]) -> None:
        """Forward orders not seen before."""
        async for order in self.inlet:
            if order.id in self.seen:
                ctx.logger.debug("duplicate %s dropped", order.id)
                continue
            self.seen.add(order.id)
            await self.out.send(order)


class BurstDetector(Streamlet):
    """Alerts when a customer places more than `limit` orders within `window`."""

    inlet = Inlet(Order, name="in")
    alerts = Outlet(Alert)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """The window and how many orders it may hold."""

        window: datetime.timedelta = datetime.timedelta(minutes=1)
        limit: Annotated[int, msgspec.Meta(ge=1)] = 3

    async def run(self, ctx: Context[Config]) -> None:
        """Keep each customer's recent order times; alert when there are too many."""
        window, limit = ctx.config.window.total_seconds(), ctx.config.limit
        recent: dict[str, deque[float]] = {}
        async for order in self.inlet:
            now = ctx.clock.now()
            times = recent.setdefault(order.customer, deque())
            times.append(now)
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) > limit:
                await self.alerts.send(Alert(customer=order.customer, orders=len(times), at=now))


@egress
def ledger(order: Order) -> None:
    """Books an order (here: nowhere; a real one would write to a database)."""


@egress
def page(alert: Alert, ctx: Context[None]) -> None:
    """Tells the on-call person (here: the log)."""
    ctx.logger.warning("burst: %s placed %d orders", alert.customer, alert.orders)
