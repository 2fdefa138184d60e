"""WatchChanges through the generated stubs, receiving a real change: binanceusdm switched from its
2025-08-22 recording to its 2024-12-13 one. The expected batch is computed from the raw files."""
from __future__ import annotations

import time
from typing import Any

from instruments.v1 import instrument_service_pb2 as pb
from instruments.v1 import instrument_service_pb2_grpc as pb_grpc

from raw_fixtures import canonical, instrument_key, raw_filter, raw_symbols, switch_keys
from support import E2EServer


def tick(symbol: dict[str, Any]) -> str:
    return canonical(raw_filter(symbol, "PRICE_FILTER", "tickSize"))


def expected_tick_updates() -> dict[str, str]:
    """Keys in both recordings whose tick size differs -> the older recording's tick."""
    newer, older = raw_symbols("newer"), raw_symbols("older")
    return {instrument_key(older[r]): tick(older[r]) for r in newer.keys() & older.keys()
            if instrument_key(newer[r]) == instrument_key(older[r]) and tick(newer[r]) != tick(older[r])}


def expired_keys(keys: set[str], now_ms: float) -> set[str]:
    """Futures of the newer recording whose delivery date has passed: removed as EXPIRED."""
    by_key = {instrument_key(s): s for s in raw_symbols("newer").values()}
    return {k for k in keys if ":FUTURE:" in k and int(by_key[k]["deliveryDate"]) <= now_ms}


def test_watch_receives_the_switch_as_one_batch(server: E2EServer, stub: pb_grpc.InstrumentServiceStub) -> None:
    call = stub.WatchChanges(pb.WatchChangesRequest(), timeout=60)  # the deadline bounds every read
    try:
        first = next(call)
        assert first.WhichOneof("event") == "progress"
        assert first.revision == server.revision()
        switched_at_ms = time.time() * 1000
        revision = server.use("older")
        batches = []
        for response in call:
            if response.WhichOneof("event") == "changes":
                batches.append(response)
            if response.revision >= revision:
                break
    finally:
        call.cancel()

    assert [b.revision for b in batches] == [revision], "the whole switch is one batch at the new revision"
    changes = batches[0].changes.changes
    by_type = {t: {c.instrument_key: c for c in changes if c.change_type == t}
               for t in (pb.CHANGE_TYPE_ADDED, pb.CHANGE_TYPE_UPDATED, pb.CHANGE_TYPE_REMOVED)}
    added, removed = switch_keys("newer", "older")
    assert set(by_type[pb.CHANGE_TYPE_ADDED]) == added
    assert set(by_type[pb.CHANGE_TYPE_REMOVED]) == removed
    assert "BINANCE-FUTURES:PERPETUAL:EOS/USDT:USDT" in added  # listed in 2024, delisted since

    eos = by_type[pb.CHANGE_TYPE_ADDED]["BINANCE-FUTURES:PERPETUAL:EOS/USDT:USDT"].instrument
    assert eos.tick_size == tick(raw_symbols("older")["EOSUSDT"])

    expired = expired_keys(removed, switched_at_ms)
    for key, change in by_type[pb.CHANGE_TYPE_REMOVED].items():
        reason = pb.REMOVAL_REASON_EXPIRED if key in expired else pb.REMOVAL_REASON_DELISTED
        assert (key, change.removal_reason) == (key, reason)
        assert change.instrument.HasField("available_to_datetime")

    updated = by_type[pb.CHANGE_TYPE_UPDATED]
    ticks = expected_tick_updates()
    assert ticks, "the two recordings differ in some tick sizes"
    assert ticks.keys() <= updated.keys()
    for key, older_tick in ticks.items():
        change = updated[key]
        newer_tick = tick(raw_symbols("newer")[change.instrument.exchange_raw_symbol])
        assert "tick_size" in change.changed_fields
        assert (key, change.previous.tick_size, change.instrument.tick_size) == (key, newer_tick, older_tick)
