"""The usage example of the README, run against the real server (the README copies the region
between the markers; a test compares the two)."""
from __future__ import annotations

import pytest
from instruments.v1 import instrument_service_pb2 as pb
from instruments.v1 import instrument_service_pb2_grpc as pb_grpc

from raw_fixtures import canonical, raw_filter, raw_symbols
from support import E2EServer


def test_readme_example(server: E2EServer, stub: pb_grpc.InstrumentServiceStub, capsys: pytest.CaptureFixture[str]) -> None:
    address = server.address  # "127.0.0.1:50051" for `npm run demo`
    # README-EXAMPLE-START
    from instruments_mirror import Mirror, MirrorBatch

    def on_change(batch: MirrorBatch) -> None:  # runs on the mirror's thread, after applying
        for change in batch.changes:
            print("changed:", batch.revision, change.instrument_key)

    with Mirror.connect(address, on_change=on_change) as mirror:
        if not mirror.wait_synced(timeout=30):
            raise TimeoutError("no snapshot from the instruments service")
        btc = mirror.get("BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT")  # in-process, no RPC
        eth = mirror.by_ccxt("binanceusdm", "ETH/USDT:USDT")
        print(btc.tick_size, btc.lot_size, btc.min_notional, eth.exchange_raw_symbol)
        print(len(mirror), "instruments at revision", mirror.revision)
    # README-EXAMPLE-END
    out = capsys.readouterr().out.splitlines()
    btc_raw = raw_symbols("newer")["BTCUSDT"]
    expected = [canonical(raw_filter(btc_raw, f, k)) for f, k in
                (("PRICE_FILTER", "tickSize"), ("LOT_SIZE", "stepSize"), ("MIN_NOTIONAL", "notional"))]
    assert out[0] == " ".join([*expected, "ETHUSDT"])
    status = stub.GetStatus(pb.GetStatusRequest(), timeout=10)
    assert out[1] == f"{sum(e.instrument_count for e in status.exchanges)} instruments at revision {status.revision}"
