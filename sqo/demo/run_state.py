"""What every part of a demo simulation shares: the random source, the simulated clock's window,
what has been simulated so far, and the id counters of the records it creates.

The simulation (:mod:`sqo.demo.simulation`) moves leads and deals; the reps' work on a deal
(:mod:`sqo.demo.engagement`) adds to the same output. Both take this, so neither needs the other.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqo.demo.results import Simulated


class RunState:
    def __init__(self, rng: random.Random, start: datetime, now: datetime) -> None:
        self.rng = rng
        self.start, self.now = start, now
        self.out = Simulated()
        self.ids = {"lead": 0, "opp": 0, "activity": 0, "contact": 0}

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]
