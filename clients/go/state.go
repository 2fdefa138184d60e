package mirror

import (
	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
)

// pair is the key of the secondary indexes: (ccxt_exchange, ccxt_symbol) and
// (venue, exchange_raw_symbol).
type pair struct{ a, b string }

// state is the mirrored set with its lookup indexes. It is not synchronised: the Mirror guards it.
// The secondary indexes map to instrument keys rather than definitions, so that the definition
// stored under a key is the single source of truth.
type state struct {
	byKey  map[string]*instrumentsv1.InstrumentDefinition
	byCCXT map[pair]string
	byRaw  map[pair]string
}

func newState(sizeHint int) *state {
	return &state{
		byKey:  make(map[string]*instrumentsv1.InstrumentDefinition, sizeHint),
		byCCXT: make(map[pair]string, sizeHint),
		byRaw:  make(map[pair]string, sizeHint),
	}
}

func ccxtOf(d *instrumentsv1.InstrumentDefinition) pair {
	return pair{d.GetCcxtExchange(), d.GetCcxtSymbol()}
}

func rawOf(d *instrumentsv1.InstrumentDefinition) pair {
	return pair{d.GetVenue(), d.GetExchangeRawSymbol()}
}

// put stores d under its key, replacing the previous definition and its index entries.
func (s *state) put(d *instrumentsv1.InstrumentDefinition) {
	key := d.GetInstrumentKey()
	if key == "" {
		return
	}
	s.remove(key)
	s.byKey[key] = d
	if p := ccxtOf(d); p.a != "" && p.b != "" {
		s.byCCXT[p] = key
	}
	if p := rawOf(d); p.a != "" && p.b != "" {
		s.byRaw[p] = key
	}
}

// remove deletes key and the index entries that still point at it. The check matters within one
// batch: when a market's key changes (a raw symbol re-listed under a new CCXT symbol) the batch may
// add the new key before it removes the old one, and the raw-symbol entry must stay with the new key.
func (s *state) remove(key string) {
	old, ok := s.byKey[key]
	if !ok {
		return
	}
	delete(s.byKey, key)
	if p := ccxtOf(old); s.byCCXT[p] == key {
		delete(s.byCCXT, p)
	}
	if p := rawOf(old); s.byRaw[p] == key {
		delete(s.byRaw, p)
	}
}

// apply applies one change batch in order.
func (s *state) apply(batch *instrumentsv1.ChangeBatch) {
	for _, c := range batch.GetChanges() {
		switch c.GetChangeType() {
		case instrumentsv1.ChangeType_CHANGE_TYPE_ADDED, instrumentsv1.ChangeType_CHANGE_TYPE_UPDATED:
			s.put(c.GetInstrument())
		case instrumentsv1.ChangeType_CHANGE_TYPE_REMOVED:
			s.remove(c.GetInstrumentKey())
		}
	}
}

func (s *state) lookup(key string, ok bool) (*instrumentsv1.InstrumentDefinition, bool) {
	if !ok {
		return nil, false
	}
	d, ok := s.byKey[key]
	return d, ok
}
