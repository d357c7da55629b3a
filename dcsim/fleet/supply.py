"""Shared chip supply: a vendor's monthly output allocated across the fleet's sites.

Each month the vendor adds that month's output (its schedule) to its stock and hands the
stock out among the sites' open orders by a policy; what no order asks for stays in stock
for later months. Counts are whole chips, and the allocation conserves them: a month hands
out exactly ``min(stock, open orders)``, no site gets more than it has on order, and
``made = delivered + stock`` at all times. Delivery delays thus come from the fleet's
competition for output, not from a lead time drawn per order.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence

import simpy

from dcsim.config.schema import ChipOrder
from dcsim.fleet.schema import Vendor
from dcsim.sim.clock import until
from dcsim.sim.supply import ChipLine, book_order
from dcsim.units import DAYS_PER_YEAR

MONTH_DAYS = DAYS_PER_YEAR / 12


def proportional(available: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """``available`` whole chips split in proportion to ``weights``, none above its cap;
    what a capped entry cannot take is split again among the rest (water filling). Each
    round rounds by largest remainder (ties to the earlier entry), so the parts add up to
    ``min(available, sum of caps over entries with weight)``."""
    given = [0] * len(caps)
    left = available
    while left > 0:
        active = [i for i, w in enumerate(weights) if w > 0 and given[i] < caps[i]]
        total = sum(weights[i] for i in active)
        if not active or total <= 0:
            break
        quota = {i: left * weights[i] / total for i in active}
        whole = {i: math.floor(q) for i, q in quota.items()}
        spare = left - sum(whole.values())
        for i in sorted(active, key=lambda i: (whole[i] - quota[i], i))[:spare]:
            whole[i] += 1
        for i in active:
            take = min(whole[i], caps[i] - given[i])
            given[i] += take
            left -= take
    return given


def allocate(
    available: int,
    open_orders: Sequence[int],
    policy: str,
    priority: Sequence[int],
    share: Sequence[float],
    since: Sequence[float],
) -> list[int]:
    """One month's allocation of ``available`` chips among buyers with ``open_orders``.

    pro-rata: in proportion to open orders. priority: higher priority first, then the
    buyer waiting longest (``since``: day its oldest open order was placed). fixed-shares:
    by ``share``; what share holders cannot use goes pro rata to the open orders left."""
    if policy == "pro-rata":
        return proportional(available, open_orders, open_orders)
    if policy == "priority":
        given = [0] * len(open_orders)
        for i in sorted(range(len(open_orders)), key=lambda i: (-priority[i], since[i], i)):
            given[i] = min(open_orders[i], available)
            available -= given[i]
        return given
    given = proportional(available, share, open_orders)
    rest = [need - got for need, got in zip(open_orders, given, strict=True)]
    extra = proportional(available - sum(given), rest, rest)
    return [a + b for a, b in zip(given, extra, strict=True)]


def output_per_month(vendor: Vendor, month_start: float, day_of) -> int:
    """The vendor's output in the month starting on ``month_start`` (0 before its first
    step); ``day_of`` turns a date into a fleet day."""
    made = 0
    for step in vendor.output:
        if day_of(step.date) <= month_start:
            made = step.per_month
    return made


class SharedSupply:
    """One vendor's output for one chip, shared by the sites that order that chip."""

    def __init__(self, env: simpy.Environment, vendor: Vendor, day_of):
        self.env, self.vendor, self._day_of = env, vendor, day_of
        self.lines: list[ChipLine | None] = []
        self.open: list[int] = []
        self.priority: list[int] = []
        self.share: list[float] = []
        self.since: list[float] = []
        self.made = self.delivered = self.stock = 0

    def buyer(self, priority: int, share: float) -> int:
        """Registers a site; returns its buyer number."""
        for column, value in ((self.lines, None), (self.open, 0), (self.since, math.inf)):
            column.append(value)
        self.priority.append(priority)
        self.share.append(share)
        return len(self.open) - 1

    def order(self, buyer: int, order: ChipOrder, order_day: float, line: ChipLine) -> Generator:
        """Booked on its day, the order joins the buyer's open orders."""
        yield until(self.env, order_day)
        book_order(line.ledger, order)
        self.lines[buyer] = line
        if self.open[buyer] == 0:
            self.since[buyer] = self.env.now
        self.open[buyer] += order.count

    def run(self) -> Generator:
        """Each month's output joins the stock at the month's end and is allocated."""
        month = 0
        while True:
            made = output_per_month(self.vendor, month * MONTH_DAYS, self._day_of)
            month += 1
            yield until(self.env, month * MONTH_DAYS)
            self.made += made
            self.stock += made
            self._hand_out(made)

    def _hand_out(self, made: int) -> None:
        given = allocate(
            self.stock, self.open, self.vendor.policy, self.priority, self.share, self.since
        )
        now = self.env.now
        for buyer, count in enumerate(given):
            if not count:
                continue
            line = self.lines[buyer]
            what = f"{count:,} of {made:,} made this month ({self.vendor.policy})"
            link = line.trace.add("chips", self.vendor.name, what, self.since[buyer], now)
            self.open[buyer] -= count
            self.stock -= count
            self.delivered += count
            if not self.open[buyer]:
                self.since[buyer] = math.inf
            line.receive(count, link)
