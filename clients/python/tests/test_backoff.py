"""Reconnect delays: growing, capped, jittered downwards only, and validated."""
from __future__ import annotations

import random

import pytest
from instruments_mirror import Backoff


def test_delays_grow_exponentially_up_to_the_cap() -> None:
    no_jitter = Backoff(initial_seconds=0.1, max_seconds=1.0, multiplier=2.0, jitter=0.0)
    assert [no_jitter.delay(n) for n in range(6)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert no_jitter.delay(10_000) == 1.0


def test_jitter_spreads_delays_below_the_ceiling() -> None:
    backoff = Backoff(initial_seconds=1.0, max_seconds=1.0, jitter=0.5)
    rand = random.Random(7)
    delays = [backoff.delay(0, rand) for _ in range(200)]
    assert all(0.5 <= d <= 1.0 for d in delays)
    assert max(delays) - min(delays) > 0.3


@pytest.mark.parametrize("kwargs", [{"initial_seconds": 0}, {"initial_seconds": 2, "max_seconds": 1},
                                    {"multiplier": 0.5}, {"jitter": 1.5}])
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)
