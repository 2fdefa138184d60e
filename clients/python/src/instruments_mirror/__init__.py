"""live-instruments-mirror: an in-process mirror of the instruments.v1 API (hand-written).

    from instruments_mirror import Mirror
    with Mirror.connect("127.0.0.1:50051") as mirror:
        mirror.wait_synced(timeout=30)
        mirror.get("BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT")
"""
from ._backoff import Backoff
from ._stream import FATAL_CODES
from ._state import MirrorBatch
from .mirror import Mirror

__all__ = ["FATAL_CODES", "Backoff", "Mirror", "MirrorBatch"]
