package mirror_test

// Expectations read from the raw recorded exchange responses (test/fixtures), never from the
// server: what Binance USD-M published, projected the way CCXT 4.5.84 maps it (the same rules as
// test/e2e/support/expected-changes.ts, which documents them field by field).

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const fapiURL = "https://fapi.binance.com/fapi/v1/exchangeInfo"

// recordingDirs are the binanceusdm fixture sets e2e-server.mjs switches between.
var recordingDirs = map[string]string{
	"newer": filepath.Join("test", "fixtures", "exchanges", "binanceusdm"),
	"older": filepath.Join("test", "fixtures", "exchanges-dated", "binanceusdm@2024-12-13"),
}

type rawSymbol map[string]any

// rawSymbols returns the `symbols` of a recording's exchangeInfo, numbers kept as their JSON text.
func rawSymbols(t testing.TB, recording string) map[string]rawSymbol {
	t.Helper()
	dir := filepath.Join(repoRoot, recordingDirs[recording])
	var index struct {
		URLs map[string]struct{ File string } `json:"urls"`
	}
	readJSON(t, filepath.Join(dir, "index.json"), &index)
	var body struct{ Symbols []rawSymbol }
	readJSON(t, filepath.Join(dir, index.URLs[fapiURL].File), &body)
	bySymbol := make(map[string]rawSymbol, len(body.Symbols))
	for _, s := range body.Symbols {
		bySymbol[s.text("symbol")] = s
	}
	return bySymbol
}

func readJSON(t testing.TB, path string, into any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// text is a field as CCXT's safeString sees it ("" when absent or null).
func (s rawSymbol) text(key string) string {
	switch v := s[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	default:
		return ""
	}
}

// filter returns the field of the filter of this filterType, "" when absent.
func (s rawSymbol) filter(filterType, key string) string {
	filters, _ := s["filters"].([]any)
	for _, f := range filters {
		if m, ok := f.(map[string]any); ok && m["filterType"] == filterType {
			return rawSymbol(m).text(key)
		}
	}
	return ""
}

// commonCurrencies is CCXT's code table for binance (base/Exchange.js and binance.js).
var commonCurrencies = map[string]string{"XBT": "BTC", "BCHSV": "BSV", "BCC": "BCC", "YOYO": "YOYOW"}

func currency(id string) string {
	if code, ok := commonCurrencies[strings.ToUpper(id)]; ok {
		return code
	}
	return strings.ToUpper(id)
}

// perpetualDelivery is Binance's deliveryDate of contracts that never deliver (2100-12-25T08:00Z).
const perpetualDelivery = "4133404800000"

// key is the instrument_key of a USD-M symbol and, for a dated future, its expiry.
func (s rawSymbol) key() (key string, expiry time.Time) {
	base, quote, settle := currency(s.text("baseAsset")), currency(s.text("quoteAsset")), currency(s.text("marginAsset"))
	venue := "BINANCE-FUTURES"
	if settle == base && settle != quote {
		venue = "BINANCE-DELIVERY"
	}
	delivery := s.text("deliveryDate")
	if s.text("contractType") == "PERPETUAL" || delivery == perpetualDelivery {
		return fmt.Sprintf("%s:PERPETUAL:%s/%s:%s", venue, base, quote, settle), time.Time{}
	}
	var ms int64
	if _, err := fmt.Sscan(delivery, &ms); err != nil {
		panic(fmt.Sprintf("%s: deliveryDate %q", s.text("symbol"), delivery))
	}
	expiry = time.UnixMilli(ms).UTC()
	return fmt.Sprintf("%s:FUTURE:%s/%s:%s-%s", venue, base, quote, settle, expiry.Format("060102")), expiry
}

var plainDecimal = regexp.MustCompile(`^(-?)(\d+)(?:\.(\d+))?$`)

// canonical writes a decimal as the API does: no leading zeros, no trailing fractional zeros
// ("0.10" → "0.1", "100.000" → "100"). Written here rather than shared with the server so that
// the expectation is computed independently.
func canonical(t testing.TB, text string) string {
	t.Helper()
	m := plainDecimal.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("not a plain decimal: %q", text)
	}
	integer := strings.TrimLeft(m[2], "0")
	if integer == "" {
		integer = "0"
	}
	out := integer
	if frac := strings.TrimRight(m[3], "0"); frac != "" {
		out += "." + frac
	}
	if m[1] == "-" && out != "0" {
		out = "-" + out
	}
	return out
}

// ident is an instrument as the service sees it: a raw symbol under one key. A raw symbol whose
// key differs between two recordings is a removal of the old key and an addition of the new one.
type ident struct{ raw, key string }

type expectedSwitch struct {
	added   map[ident]bool
	removed map[ident]string // → "EXPIRED" or "DELISTED"
	// tickChanged: raw symbols kept under the same key whose PRICE_FILTER.tickSize differs → the
	// canonical tick before and after.
	tickChanged map[string][2]string
}

// expectSwitch is what switching binanceusdm from one recording to the other must change, at now.
func expectSwitch(t testing.TB, from, to string, now time.Time) expectedSwitch {
	t.Helper()
	before, after := rawSymbols(t, from), rawSymbols(t, to)
	e := expectedSwitch{added: map[ident]bool{}, removed: map[ident]string{}, tickChanged: map[string][2]string{}}
	for raw, b := range before {
		key, expiry := b.key()
		a, kept := after[raw]
		if kept {
			if afterKey, _ := a.key(); afterKey == key {
				oldTick, newTick := canonical(t, b.filter("PRICE_FILTER", "tickSize")), canonical(t, a.filter("PRICE_FILTER", "tickSize"))
				if oldTick != newTick {
					e.tickChanged[raw] = [2]string{oldTick, newTick}
				}
				continue
			}
		}
		reason := "DELISTED"
		if !expiry.IsZero() && !expiry.After(now) {
			reason = "EXPIRED"
		}
		e.removed[ident{raw, key}] = reason
	}
	for raw, a := range after {
		key, _ := a.key()
		if b, ok := before[raw]; ok {
			if beforeKey, _ := b.key(); beforeKey == key {
				continue
			}
		}
		e.added[ident{raw, key}] = true
	}
	return e
}
