"""Chip supply: orders, batches, the vendor's cap, and the site warehouse."""

from __future__ import annotations

import heapq
from collections.abc import Generator

import numpy as np
import simpy

from dcsim.config.schema import ChipOrder
from dcsim.constraints.registry import IDLE_CHIPS_ROW
from dcsim.sim.clock import until
from dcsim.sim.events import EventName
from dcsim.sim.ledger import Ledger
from dcsim.sim.trace import NO_CAUSE, Trace, span


def batch_sizes(count: int, batches: int) -> list[int]:
    """``count`` split into ``batches`` near-equal integer batches (larger ones first)."""
    base, extra = divmod(count, batches)
    return [base + (i < extra) for i in range(batches)]


class VendorCap:
    """A supply cap of ``rate`` chips per day, in arrival order: a batch ships when it
    arrives or when the vendor's allocation has caught up with the batches before it."""

    def __init__(self, rate_per_day: float):
        self.rate_per_day = rate_per_day
        self.next_free_day = float("-inf")

    def ship_day(self, arrival_day: float, count: int) -> float:
        day = max(arrival_day, self.next_free_day)
        self.next_free_day = day + count / self.rate_per_day
        return day


class Warehouse:
    """Delivered chips of one type, held as a count until a stage takes them.

    Keeps the GPU-days that chips sat here while no stage was asking for any, per constraint
    class: what holds the first stage (in plan order) that has not yet asked for its chips
    (its hall, for a built-in run; a plug-in's hold, see :meth:`hold`). Chips left once no
    stage is waiting are charged to ``construction``, as they always were.
    """

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.store = simpy.Container(env)
        self.idle_gpu_days: dict[str, float] = {}
        self._since = 0.0
        self.last_delivery = NO_CAUSE  # trace link of the latest batch put in
        self._holds: dict[int, str] = {}  # stage index -> the class it waits on
        self._order: list[int] = []  # heap of stage indices, stale ones dropped lazily

    def _blocker(self) -> str:
        while self._order and self._order[0] not in self._holds:
            heapq.heappop(self._order)
        return self._holds[self._order[0]] if self._order else IDLE_CHIPS_ROW

    def hold(self, index: int, constraint: str) -> None:
        """Stage ``index`` (not yet asking for chips) now waits on ``constraint``."""
        self._change(index, constraint)

    def release(self, index: int) -> None:
        """Stage ``index`` asks for its chips: it no longer decides what idle chips wait on."""
        self._change(index, None)

    def _change(self, index: int, constraint: str | None) -> None:
        before = self._blocker()
        if index not in self._holds and constraint is not None:
            heapq.heappush(self._order, index)
        if constraint is None:
            self._holds.pop(index, None)
        else:
            self._holds[index] = constraint
        if self._blocker() != before:  # settle the time so far under the old blocker
            self._account(before)

    def account(self) -> None:
        """Bring the idle-chip account up to now."""
        self._account(self._blocker())

    def _account(self, blocker: str) -> None:
        if not self.store.get_queue:
            idle = self.store.level * (self.env.now - self._since)
            self.idle_gpu_days[blocker] = self.idle_gpu_days.get(blocker, 0.0) + idle
        self._since = self.env.now

    def deliver(self, count: int, link: int) -> None:
        self.account()
        self.last_delivery = link
        self.store.put(count)

    def take(self, index: int, count: int) -> simpy.events.Event:
        """Stage ``index`` asks for ``count`` chips."""
        self.release(index)
        self.account()
        return self.store.get(count)


class ChipLine:
    """The way one chip type reaches the site: batches land, wait for the vendor's cap if
    there is one, are paid for, and go into the warehouse."""

    def __init__(
        self,
        env: simpy.Environment,
        chip: str,
        price_usd: float,
        vendor: VendorCap | None,
        warehouse: Warehouse,
        ledger: Ledger,
        trace: Trace,
    ):
        self.env = env
        self.chip = chip
        self.price_usd = price_usd
        self.vendor = vendor
        self.warehouse = warehouse
        self.ledger = ledger
        self.trace = trace

    def batch(self, count: int, arrival_day: float, link: int) -> Generator:
        """A batch in transit (``link``: its trip in the trace), as a process."""
        yield until(self.env, arrival_day)
        if self.vendor is not None:
            landed = self.env.now
            yield until(self.env, self.vendor.ship_day(landed, count))
            if self.env.now > landed:
                what = f"{self.chip} vendor's monthly output"
                link = self.trace.add("chips", "vendor cap", what, landed, self.env.now, "", link)
        self.receive(count, link)

    def receive(self, count: int, link: int) -> None:
        """``count`` chips are on site now: paid for and put in the warehouse."""
        value = count * self.price_usd
        self.ledger.record(
            EventName.CHIPS_DELIVERED,
            self.chip,
            count,
            add={
                "gpus_in_transit": -count,
                "gpus_warehouse": count,
                "capex_chips_usd": value,
                "dark_chip_value_usd": value,
            },
        )
        self.warehouse.deliver(count, link)


def book_order(ledger: Ledger, order: ChipOrder) -> None:
    """The order is placed: its chips count as ordered and in transit until delivered."""
    ledger.record(
        EventName.CHIPS_ORDERED,
        order.chip,
        order.count,
        add={"gpus_ordered": order.count, "gpus_in_transit": order.count},
    )


def chip_order(
    env: simpy.Environment,
    order: ChipOrder,
    *,
    order_day: float,
    rng: np.random.Generator,
    ledger: Ledger,
    line: ChipLine,
    name: str,
    trace: Trace,
    relaxed: bool = False,
) -> Generator:
    """An order is booked on its date; its batches leave one (drawn) interval after another
    and each arrives after its own lead time. Relaxed, every batch is on site on day 0."""
    if relaxed:
        order_day = min(order_day, 0.0)
    yield until(env, order_day)
    book_order(ledger, order)
    leaves = order_day
    sizes = batch_sizes(order.count, order.batches)
    for number, size in enumerate(sizes, start=1):
        lead = 0.0 if relaxed else order.lead_time.sample(rng)
        what = f"batch {number}/{len(sizes)}, {size:,} GPUs"
        draw = f"lead time {span(lead)}"
        if leaves > order_day:
            draw += f", shipped {span(leaves - order_day)} after the order"
        link = trace.add("chips", name, what, order_day, leaves + lead, draw)
        env.process(line.batch(size, leaves + lead, link))
        leaves += 0.0 if relaxed else order.batch_interval.sample(rng)
