package mirror_test

// The service's RPCs through the generated stubs, against the real server; expected values come
// from the raw recordings (fixtures_test.go).

import (
	"context"
	"strings"
	"testing"
	"time"

	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const btcKey = "BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT"

func client(t testing.TB) instrumentsv1.InstrumentServiceClient {
	return instrumentsv1.NewInstrumentServiceClient(dial(t))
}

func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestGetInstrumentByKeyCCXTAndRaw(t *testing.T) {
	c, ctx := client(t), timeout(t)
	raw := rawSymbols(t, srv.current())["BTCUSDT"]
	lookups := map[string]*instrumentsv1.GetInstrumentRequest{
		"key":  {Lookup: &instrumentsv1.GetInstrumentRequest_InstrumentKey{InstrumentKey: btcKey}},
		"ccxt": {Lookup: &instrumentsv1.GetInstrumentRequest_Ccxt{Ccxt: &instrumentsv1.CcxtSymbolLookup{CcxtExchange: "binanceusdm", CcxtSymbol: "BTC/USDT:USDT"}}},
		"raw":  {Lookup: &instrumentsv1.GetInstrumentRequest_Raw{Raw: &instrumentsv1.RawSymbolLookup{Venue: "BINANCE-FUTURES", ExchangeRawSymbol: "BTCUSDT"}}},
	}
	var byKey *instrumentsv1.InstrumentDefinition
	for _, name := range []string{"key", "ccxt", "raw"} {
		res, err := c.GetInstrument(ctx, lookups[name])
		if err != nil {
			t.Fatalf("by %s: %v", name, err)
		}
		got := res.GetInstrument()
		if name == "key" {
			byKey = got
		} else if !proto.Equal(got, byKey) {
			t.Errorf("by %s differs from by key:\n%v\n%v", name, got, byKey)
		}
	}
	want := map[string]string{
		"instrument_key":      btcKey,
		"exchange_raw_symbol": "BTCUSDT",
		"tick_size":           canonical(t, raw.filter("PRICE_FILTER", "tickSize")),
		"min_price":           canonical(t, raw.filter("PRICE_FILTER", "minPrice")),
		"max_price":           canonical(t, raw.filter("PRICE_FILTER", "maxPrice")),
		"lot_size":            canonical(t, raw.filter("LOT_SIZE", "stepSize")),
		"min_size":            canonical(t, raw.filter("LOT_SIZE", "minQty")),
		"max_size":            canonical(t, raw.filter("LOT_SIZE", "maxQty")),
		"min_notional":        canonical(t, raw.filter("MIN_NOTIONAL", "notional")),
		"exchange_status":     raw.text("status"),
		// USD-M order quantity is in the base asset (fapi exchangeInfo has no contractSize).
		"amount_unit": "AMOUNT_UNIT_BASE",
	}
	got := map[string]string{
		"instrument_key": byKey.GetInstrumentKey(), "exchange_raw_symbol": byKey.GetExchangeRawSymbol(),
		"tick_size": byKey.GetTickSize(), "min_price": byKey.GetMinPrice(), "max_price": byKey.GetMaxPrice(),
		"lot_size": byKey.GetLotSize(), "min_size": byKey.GetMinSize(), "max_size": byKey.GetMaxSize(),
		"min_notional": byKey.GetMinNotional(), "exchange_status": byKey.GetExchangeStatus(),
		"amount_unit": byKey.GetAmountUnit().String(),
	}
	for field, w := range want {
		if got[field] != w {
			t.Errorf("%s = %q, raw recording (%s) says %q", field, got[field], srv.current(), w)
		}
	}
}

func TestBatchGetInstrumentsFoundAndMissing(t *testing.T) {
	c, ctx := client(t), timeout(t)
	const eth, missing = "BINANCE-FUTURES:PERPETUAL:ETH/USDT:USDT", "BINANCE-FUTURES:PERPETUAL:NOPE/USDT:USDT"
	res, err := c.BatchGetInstruments(ctx, &instrumentsv1.BatchGetInstrumentsRequest{InstrumentKeys: []string{eth, missing, btcKey}})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range res.GetInstruments() {
		keys = append(keys, d.GetInstrumentKey())
	}
	if strings.Join(keys, ",") != eth+","+btcKey {
		t.Errorf("instruments %v, want [%s %s] in request order", keys, eth, btcKey)
	}
	if nf := res.GetNotFoundKeys(); len(nf) != 1 || nf[0] != missing {
		t.Errorf("not_found_keys %v, want [%s]", nf, missing)
	}
	if res.GetRevision() == 0 {
		t.Error("revision 0")
	}
}

// listAll reads every page of the live view; it fails the test if the pages span revisions.
func listAll(t testing.TB, c instrumentsv1.InstrumentServiceClient, pageSize int32) ([]*instrumentsv1.InstrumentDefinition, uint64) {
	t.Helper()
	req := &instrumentsv1.ListInstrumentsRequest{PageSize: pageSize, View: instrumentsv1.SourceView_SOURCE_VIEW_LIVE}
	var all []*instrumentsv1.InstrumentDefinition
	var revision uint64
	for page := 0; ; page++ {
		res, err := c.ListInstruments(timeout(t), req)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if len(res.GetInstruments()) > int(pageSize) {
			t.Fatalf("page %d has %d instruments, page_size %d", page, len(res.GetInstruments()), pageSize)
		}
		if page > 0 && res.GetRevision() != revision {
			t.Fatalf("page %d at revision %d, page 0 at %d", page, res.GetRevision(), revision)
		}
		revision = res.GetRevision()
		all = append(all, res.GetInstruments()...)
		if req.PageToken = res.GetNextPageToken(); req.PageToken == "" {
			return all, revision
		}
	}
}

func TestListInstrumentsAllPages(t *testing.T) {
	c := client(t)
	// The live view: what the exchanges list now, which is what GetStatus counts (the merged view
	// also holds instruments that left the lists after a recording switch).
	all, revision := listAll(t, c, 50)
	status, err := c.GetStatus(timeout(t), &instrumentsv1.GetStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var total int
	for _, e := range status.GetExchanges() {
		total += int(e.GetInstrumentCount())
	}
	if len(all) != total || status.GetRevision() != revision {
		t.Errorf("listed %d instruments at revision %d; GetStatus counts %d at revision %d", len(all), revision, total, status.GetRevision())
	}
	if len(all) <= 50 {
		t.Errorf("only %d instruments: one page, pagination not exercised", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].GetInstrumentKey() >= all[i].GetInstrumentKey() {
			t.Fatalf("not strictly ordered by key (duplicate or out of order): %q then %q", all[i-1].GetInstrumentKey(), all[i].GetInstrumentKey())
		}
	}
}

func TestErrorsAreGRPCStatuses(t *testing.T) {
	c, ctx := client(t), timeout(t)
	const missing = "BINANCE-FUTURES:PERPETUAL:NOPE/USDT:USDT"
	_, err := c.GetInstrument(ctx, &instrumentsv1.GetInstrumentRequest{Lookup: &instrumentsv1.GetInstrumentRequest_InstrumentKey{InstrumentKey: missing}})
	s, ok := status.FromError(err)
	if !ok || s.Code() != codes.NotFound || !strings.Contains(s.Message(), `instrument "`+missing+`" not found`) {
		t.Errorf("missing key: %v, want NotFound naming the key", err)
	}
	_, err = c.ListInstruments(ctx, &instrumentsv1.ListInstrumentsRequest{PageSize: 1001})
	if s, ok := status.FromError(err); !ok || s.Code() != codes.InvalidArgument || !strings.Contains(s.Message(), "page_size") {
		t.Errorf("page_size 1001: %v, want InvalidArgument naming page_size", err)
	}
}
