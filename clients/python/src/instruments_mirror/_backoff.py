"""Reconnect delays (hand-written, not generated)."""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter between reconnect attempts.

    Jitter spreads the reconnects of many mirrors that lost the same server at the same moment
    (a deploy, a failover), so they do not all arrive at the new one in the same instant.
    """

    initial_seconds: float = 0.1
    max_seconds: float = 30.0
    multiplier: float = 2.0
    #: Each delay is drawn uniformly from [delay * (1 - jitter), delay].
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if not (0 < self.initial_seconds <= self.max_seconds and self.multiplier >= 1 and 0 <= self.jitter <= 1):
            raise ValueError(f"invalid {self!r}: need 0 < initial <= max, multiplier >= 1, 0 <= jitter <= 1")

    def delay(self, attempt: int, rand: random.Random | None = None) -> float:
        """Seconds to wait before reconnect `attempt` (0 = the first after a failure)."""
        ceiling = min(self.max_seconds, self.initial_seconds * self.multiplier ** min(attempt, 64))
        return ceiling * (1 - self.jitter * (rand or random).random())
