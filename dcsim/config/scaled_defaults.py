"""Defaults that scale with the campus: installation crews and chip deliveries.

A fixed number would contradict its own source at some size: three crews rack 100,000 GPUs
in about four months, as at the site the installation rate was scaled from, but would take
two years over 550,000; one delivery of 550,000 GPUs is not how a vendor ships. So a file
that leaves these out gets a number sized to what it builds or orders, and one that writes
them keeps its own.

Both are plain functions of a count, testable without a scenario.
"""

from __future__ import annotations

import math

#: GPUs racked in the reference build: xAI's Colossus, 100,000 H100 racked and running
#: 122 days after work began (xAI / NVIDIA statements, Sep 2024, via newsbytes; secondary).
REFERENCE_GPUS = 100_000
REFERENCE_RACKING_DAYS = 122
#: The schema's installation rate, one crew's days per 1,000 GPUs (scaled from the same build).
DAYS_PER_1000_GPUS_PER_CREW = 4.0
#: Crews the reference build implies: 100,000 / 1,000 x 4 crew-days / 122 days = 3.3, so 3
#: (rounded down: 3 crews rack it in 133 days, "about four months").
CREWS_PER_REFERENCE = math.floor(
    REFERENCE_GPUS / 1000 * DAYS_PER_1000_GPUS_PER_CREW / REFERENCE_RACKING_DAYS
)

#: Most GPUs one order delivers per monthly shipment: the Hopper GPUs delivered in 2024 to
#: the largest buyer, Microsoft, 485,000 (Omdia via the Financial Times, Dec 2024;
#: secondary), over twelve months, rounded to 40,000. Monthly shipments are an assumption
#: (no public delivery calendar of one buyer's order was found).
GPUS_PER_MONTHLY_SHIPMENT = 40_000


def default_installation_crews(planned_gpus: int) -> int:
    """Installation crews for a campus of ``planned_gpus``: the reference build's crews per
    100,000 GPUs, in proportion and rounded up, at least one. In proportion because crews
    are labour a contractor staffs to the job: so sized, any campus is racked in about the
    reference's four months once its chips and halls are ready, whereas a fixed number
    would rack a small campus in days and a 550,000-GPU one in two years."""
    return max(1, math.ceil(planned_gpus * CREWS_PER_REFERENCE / REFERENCE_GPUS))


def default_batches(count: int) -> int:
    """Monthly shipments an order of ``count`` GPUs arrives in: as many as keep each at
    most :data:`GPUS_PER_MONTHLY_SHIPMENT` (one for an order of up to 40,000)."""
    return max(1, math.ceil(count / GPUS_PER_MONTHLY_SHIPMENT))
