"""The generated stubs (live-instruments-client) against the real server: lookups, pages, errors.
Expected values come from the raw recorded exchange response, not from the server."""
from __future__ import annotations

import grpc
import pytest
from instruments.v1 import instrument_pb2
from instruments.v1 import instrument_service_pb2 as pb
from instruments.v1 import instrument_service_pb2_grpc as pb_grpc

from raw_fixtures import canonical, instrument_key, raw_filter, raw_symbols
from support import list_all

BTC = raw_symbols("newer")["BTCUSDT"]
BTC_KEY = "BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT"
MISSING = "BINANCE-FUTURES:PERPETUAL:NOPE/USDT:USDT"


def test_btcusdt_key_is_derived_from_the_raw_symbol() -> None:
    assert instrument_key(BTC) == BTC_KEY


def test_get_instrument_by_key_has_the_recorded_exact_decimals(stub: pb_grpc.InstrumentServiceStub) -> None:
    response = stub.GetInstrument(pb.GetInstrumentRequest(instrument_key=BTC_KEY), timeout=10)
    d = response.instrument
    assert response.revision > 0
    assert (d.instrument_key, d.exchange_raw_symbol) == (BTC_KEY, "BTCUSDT")
    assert d.instrument_type == instrument_pb2.INSTRUMENT_TYPE_PERPETUAL
    # Exact plain decimal strings: the raw "0.10" tick is served as "0.1", never as a float.
    assert (d.tick_size, d.lot_size, d.min_size, d.max_size, d.min_notional) == (
        canonical(raw_filter(BTC, "PRICE_FILTER", "tickSize")), canonical(raw_filter(BTC, "LOT_SIZE", "stepSize")),
        canonical(raw_filter(BTC, "LOT_SIZE", "minQty")), canonical(raw_filter(BTC, "LOT_SIZE", "maxQty")),
        canonical(raw_filter(BTC, "MIN_NOTIONAL", "notional")))
    assert d.tick_size == "0.1"
    # USD-M order quantity is in the base asset (the raw symbol has no contractSize), stated as such.
    assert "contractSize" not in BTC
    assert (d.amount_unit, d.contract_size_unit) == (instrument_pb2.AMOUNT_UNIT_BASE, instrument_pb2.AMOUNT_UNIT_BASE)


@pytest.mark.parametrize("raw_symbol", ["BTCUSDT", "ETHUSDT", "1000PEPEUSDT"])
def test_ccxt_and_raw_lookups_find_the_key_lookup(stub: pb_grpc.InstrumentServiceStub, raw_symbol: str) -> None:
    raw = raw_symbols("newer")[raw_symbol]
    key = instrument_key(raw)
    by_key = stub.GetInstrument(pb.GetInstrumentRequest(instrument_key=key), timeout=10).instrument
    ccxt_symbol = key.split(":", 2)[2]
    by_ccxt = stub.GetInstrument(pb.GetInstrumentRequest(
        ccxt=pb.CcxtSymbolLookup(ccxt_exchange="binanceusdm", ccxt_symbol=ccxt_symbol)), timeout=10).instrument
    by_raw = stub.GetInstrument(pb.GetInstrumentRequest(
        raw=pb.RawSymbolLookup(venue="BINANCE-FUTURES", exchange_raw_symbol=raw_symbol)), timeout=10).instrument
    assert by_key.instrument_key == key
    assert by_key.tick_size == canonical(raw_filter(raw, "PRICE_FILTER", "tickSize"))
    assert by_ccxt == by_key
    assert by_raw == by_key


def test_batch_get_reports_found_and_missing_keys_in_request_order(stub: pb_grpc.InstrumentServiceStub) -> None:
    eth_key = instrument_key(raw_symbols("newer")["ETHUSDT"])
    response = stub.BatchGetInstruments(pb.BatchGetInstrumentsRequest(instrument_keys=[eth_key, MISSING, BTC_KEY]), timeout=10)
    assert [d.instrument_key for d in response.instruments] == [eth_key, BTC_KEY]
    assert list(response.not_found_keys) == [MISSING]
    assert response.revision > 0


def test_list_instruments_pages_cover_every_instrument_once(stub: pb_grpc.InstrumentServiceStub) -> None:
    definitions, revisions, pages = list_all(stub, view=pb.SOURCE_VIEW_MERGED, page_size=50)
    keys = [d.instrument_key for d in definitions]
    status = stub.GetStatus(pb.GetStatusRequest(), timeout=10)
    assert len(set(keys)) == len(keys), "a key on two pages"
    assert keys == sorted(keys)
    assert len(keys) == sum(e.instrument_count for e in status.exchanges)
    assert pages == -(-len(keys) // 50)
    assert len(revisions) == 1
    served = {k for k in keys if k.startswith("BINANCE-")}
    assert served == {instrument_key(s) for s in raw_symbols("newer").values()}


def test_missing_key_is_not_found_with_the_servers_message(stub: pb_grpc.InstrumentServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetInstrument(pb.GetInstrumentRequest(instrument_key=MISSING), timeout=10)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert f'instrument "{MISSING}" not found' in caught.value.details()


@pytest.mark.parametrize("page_size", [-1, 1001])
def test_out_of_range_page_size_is_invalid_argument(stub: pb_grpc.InstrumentServiceStub, page_size: int) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListInstruments(pb.ListInstrumentsRequest(page_size=page_size), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert f"page_size {page_size} is out of range" in caught.value.details()


def test_unknown_venue_in_a_filter_is_invalid_argument(stub: pb_grpc.InstrumentServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListInstruments(pb.ListInstrumentsRequest(filter=pb.InstrumentFilter(venues=["NOWHERE"])), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert '"NOWHERE", not served here' in caught.value.details()
