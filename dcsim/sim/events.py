"""The names of the events a run logs, each with the unit of the quantity it carries.

One enum, so a process cannot log a misspelt event, and one table of units, from which
``events.parquet`` gets a typed column per quantity (``gpus``, ``usd``, ``mw``, ``days``),
null where an event carries none of it (Ciw's one-named-field-per-quantity record).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Quantity = Literal["gpus", "usd", "mw", "days"]


class EventName(StrEnum):
    # chips
    CHIPS_ORDERED = "chips_ordered"
    CHIPS_DELIVERED = "chips_delivered"
    # halls
    CONSTRUCTION_START = "construction_start"
    FITOUT_START = "fitout_start"
    HALL_READY = "hall_ready"
    CONSTRUCTION_STOPPED = "construction_stopped"
    CONSTRUCTION_RESUMED = "construction_resumed"
    # power
    INTERCONNECT_STEP = "interconnect_step"
    CURTAILMENT_START = "curtailment_start"
    CURTAILMENT_END = "curtailment_end"
    GENERATOR_ONLINE = "generator_online"
    GENERATOR_RETIRED = "generator_retired"
    GENERATOR_CAPPED = "generator_capped"
    FUEL_LIMITED = "fuel_limited"
    GENERATION_CAPEX = "capex"
    EQUIPMENT_DELIVERED = "equipment_delivered"
    EQUIPMENT_IN_SERVICE = "equipment_in_service"
    EQUIPMENT_OUTAGE = "equipment_outage"
    EQUIPMENT_RESTORED = "equipment_restored"
    # stages
    INSTALL_START = "install_start"
    READY_FOR_POWER = "ready_for_power"
    ENERGIZED = "energized"
    SHED = "shed"
    # GPU failures
    BURN_IN_FAILURES = "burn_in_failures"
    GPU_FAILED = "gpu_failed"
    GPU_REPAIRED = "gpu_repaired"


#: What each event's amount is, and what it means (the output reference lists these).
CARRIES: dict[EventName, tuple[Quantity | None, str]] = {
    EventName.CHIPS_ORDERED: ("gpus", "GPUs ordered"),
    EventName.CHIPS_DELIVERED: ("gpus", "GPUs delivered to the site warehouse"),
    EventName.CONSTRUCTION_START: ("usd", "half the hall's cost, booked at ground-breaking"),
    EventName.FITOUT_START: ("usd", "the other half, booked at the start of fit-out"),
    EventName.HALL_READY: (None, "the hall is ready for racks"),
    EventName.CONSTRUCTION_STOPPED: ("days", "how long a project-wide stop will hold the hall"),
    EventName.CONSTRUCTION_RESUMED: ("days", "how long the stop held the hall"),
    EventName.INTERCONNECT_STEP: ("mw", "the interconnect's new firm capacity"),
    EventName.CURTAILMENT_START: ("mw", "the cap the utility sets for the window"),
    EventName.CURTAILMENT_END: ("mw", "the cap that is lifted"),
    EventName.GENERATOR_ONLINE: ("mw", "the generator's nameplate capacity"),
    EventName.GENERATOR_RETIRED: ("mw", "the nameplate capacity switched off for good"),
    EventName.GENERATOR_CAPPED: (
        "mw",
        "what the generator now runs at under an air permit's cap (or a plug-in's)",
    ),
    EventName.FUEL_LIMITED: ("mw", "what the site's fuel delivery now sustains (its fuel limit)"),
    EventName.GENERATION_CAPEX: ("usd", "the generation plant's cost, booked when it runs"),
    EventName.EQUIPMENT_DELIVERED: ("usd", "the equipment's cost, booked on delivery"),
    EventName.EQUIPMENT_IN_SERVICE: ("mw", "the equipment's capacity"),
    EventName.EQUIPMENT_OUTAGE: ("days", "how long the outage will last"),
    EventName.EQUIPMENT_RESTORED: ("days", "how long the outage lasted"),
    EventName.INSTALL_START: ("gpus", "the stage's GPUs, taken from the warehouse"),
    EventName.READY_FOR_POWER: ("gpus", "the stage's GPUs, burned in and asking for power"),
    EventName.ENERGIZED: ("gpus", "the stage's GPUs, now carrying load"),
    EventName.SHED: ("gpus", "the stage's GPUs switched off (0: it was not carrying load)"),
    EventName.BURN_IN_FAILURES: ("gpus", "GPUs failed in burn-in, sent for a swap"),
    EventName.GPU_FAILED: ("gpus", "one GPU failed while energized"),
    EventName.GPU_REPAIRED: ("gpus", "one GPU back from repair"),
}
QUANTITIES: tuple[Quantity, ...] = ("gpus", "usd", "mw", "days")

#: Columns of ``events.parquet``, with their meaning (the output reference lists these).
EVENT_COLUMNS = {
    "date": "calendar date of the event",
    "day": "days since the scenario's start",
    "event": "what happened (the table below)",
    "entity": "what it happened to: a stage (hall/number), hall, chip type, interconnect, "
    "generator or piece of equipment",
    "amount": "the event's quantity in its own unit, whatever that is (kept for scripts "
    "written before the typed columns; read those instead)",
    "gpus": "GPUs, for an event that counts them; null otherwise",
    "usd": "USD, for an event that books capex; null otherwise",
    "mw": "MW, for an event that sets a capacity or cap; null otherwise",
    "days": "days, for an outage's length; null otherwise",
}
