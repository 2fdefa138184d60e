"""Expectations read from the recorded raw exchange responses, never from the server.

binanceusdm's two real recordings (test/fixtures/exchanges/binanceusdm, 2025-08-22, and
test/fixtures/exchanges-dated/binanceusdm@2024-12-13) are the ones test/support/e2e-server.mjs
switches between. A raw symbol is projected onto its instrument_key the way CCXT 4.5.84 and the
service name it (README "Instrument keys"; test/e2e/support/expected-changes.ts does the same in
TypeScript), so a switch's added/removed keys follow from the two files alone.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT / "test" / "fixtures"
RECORDINGS = {
    "newer": FIXTURES / "exchanges" / "binanceusdm",
    "older": FIXTURES / "exchanges-dated" / "binanceusdm@2024-12-13",
}
FAPI = "https://fapi.binance.com/fapi/v1/exchangeInfo"
#: Binance's deliveryDate of contracts that never deliver (2100-12-25T08:00Z).
PERPETUAL_DELIVERY = 4133404800000
#: CCXT's commonCurrencies for binance (base/Exchange.js and binance.js).
COMMON_CURRENCIES = {"XBT": "BTC", "BCHSV": "BSV", "BCC": "BCC", "YOYO": "YOYOW"}


@cache
def raw_symbols(recording: str) -> dict[str, dict[str, Any]]:
    """The recording's exchangeInfo `symbols` by raw symbol (numbers stay their source text)."""
    folder = RECORDINGS[recording]
    index = json.loads((folder / "index.json").read_text())
    body = json.loads((folder / index["urls"][FAPI]["file"]).read_text(), parse_float=str, parse_int=str)
    return {s["symbol"]: s for s in body["symbols"]}


def canonical(text: str) -> str:
    """A decimal as the API prints it: plain, no exponent, no trailing zeros ("0.10" -> "0.1")."""
    return format(Decimal(text).normalize(), "f")


def raw_filter(symbol: dict[str, Any], filter_type: str, field: str) -> str:
    return str(next(f[field] for f in symbol["filters"] if f["filterType"] == filter_type))


def _code(asset_id: str) -> str:
    return COMMON_CURRENCIES.get(asset_id.upper(), asset_id.upper())


def instrument_key(symbol: dict[str, Any]) -> str:
    """VENUE:TYPE:CCXT_SYMBOL of one raw USD-M symbol."""
    base, quote, settle = _code(symbol["baseAsset"]), _code(symbol["quoteAsset"]), _code(symbol["marginAsset"])
    delivery = int(symbol["deliveryDate"])
    venue = "BINANCE-DELIVERY" if settle == base and settle != quote else "BINANCE-FUTURES"
    if symbol["contractType"] == "PERPETUAL" or delivery == PERPETUAL_DELIVERY:
        return f"{venue}:PERPETUAL:{base}/{quote}:{settle}"
    expiry = datetime.fromtimestamp(delivery / 1000, tz=timezone.utc).strftime("%y%m%d")
    return f"{venue}:FUTURE:{base}/{quote}:{settle}-{expiry}"


def switch_keys(before: str, after: str) -> tuple[set[str], set[str]]:
    """(added, removed) instrument keys when binanceusdm goes from one recording to the other."""
    old = {instrument_key(s) for s in raw_symbols(before).values()}
    new = {instrument_key(s) for s in raw_symbols(after).values()}
    return new - old, old - new
