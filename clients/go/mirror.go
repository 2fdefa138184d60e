package mirror

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
	"google.golang.org/grpc"
)

// ErrClosed is returned by WaitSynced and WaitRevision when the mirror stopped (Close, or the end
// of Run's context) before the condition was met.
var ErrClosed = errors.New("mirror: closed")

// Mirror is a local copy of the instruments matching a filter, kept current from WatchChanges.
// Create it with New, then call Run (blocking) or Start. All methods are safe for concurrent use;
// lookups take a read lock and are O(1), so they never wait for the network.
type Mirror struct {
	client instrumentsv1.InstrumentServiceClient
	opts   options

	mu       sync.RWMutex
	st       *state
	revision uint64
	synced   bool
	relist   bool      // OUT_OF_RANGE: the next stream takes a snapshot although synced
	lastMsg  time.Time // last message from the server, or when Run began
	stats    Stats
	err      error         // why the mirror stopped, once stopped by an error
	changed  chan struct{} // closed and replaced whenever revision/synced/err change

	runOnce sync.Once
	cancel  context.CancelFunc
	done    chan struct{} // closed when Run returns
}

// New returns a Mirror that will watch the service on conn. It does not contact the server until
// Run or Start.
func New(conn grpc.ClientConnInterface, opts ...Option) *Mirror {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	return &Mirror{
		client:  instrumentsv1.NewInstrumentServiceClient(conn),
		opts:    o,
		st:      newState(0),
		changed: make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// Get returns the instrument with this instrument_key (e.g. "BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT").
// The definition is shared: do not modify it.
func (m *Mirror) Get(key string) (*instrumentsv1.InstrumentDefinition, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.st.lookup(key, true)
}

// ByCCXT returns the instrument with this CCXT exchange id and unified symbol, e.g.
// ("binanceusdm", "BTC/USDT:USDT"). The definition is shared: do not modify it.
func (m *Mirror) ByCCXT(exchange, symbol string) (*instrumentsv1.InstrumentDefinition, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	key, ok := m.st.byCCXT[pair{exchange, symbol}]
	return m.st.lookup(key, ok)
}

// ByRaw returns the instrument with this venue and exchange-native symbol, e.g.
// ("BINANCE-FUTURES", "BTCUSDT"). The definition is shared: do not modify it.
func (m *Mirror) ByRaw(venue, rawSymbol string) (*instrumentsv1.InstrumentDefinition, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	key, ok := m.st.byRaw[pair{venue, rawSymbol}]
	return m.st.lookup(key, ok)
}

// All returns every mirrored instrument ordered by instrument_key, as ListInstruments pages them,
// all at one revision. The slice is the caller's; the definitions are shared: do not modify them.
func (m *Mirror) All() []*instrumentsv1.InstrumentDefinition {
	m.mu.RLock()
	all := make([]*instrumentsv1.InstrumentDefinition, 0, len(m.st.byKey))
	for _, d := range m.st.byKey {
		all = append(all, d)
	}
	m.mu.RUnlock()
	slices.SortFunc(all, func(a, b *instrumentsv1.InstrumentDefinition) int {
		return cmp.Compare(a.GetInstrumentKey(), b.GetInstrumentKey())
	})
	return all
}

// Len returns the number of mirrored instruments.
func (m *Mirror) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.st.byKey)
}

// Revision returns the server revision the mirror is current as of (0 before the first sync).
// With a filter, batches that touch nothing matching are not sent, so the revision may trail the
// server's until the next progress message.
func (m *Mirror) Revision() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.revision
}

// Synced reports whether a snapshot has been applied. It stays true while reconnecting: the state
// is still the last known one (see Staleness).
func (m *Mirror) Synced() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.synced
}

// Staleness returns the time since the server last sent anything (a snapshot, a change or a
// progress message). The server sends progress at least every watch.progress_interval_seconds
// (10s by default), so a larger value means the mirror is disconnected or the stream is stuck.
func (m *Mirror) Staleness() time.Duration {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.lastMsg.IsZero() {
		return 0
	}
	return time.Since(m.lastMsg)
}

// Err returns the error that stopped the mirror (Unauthenticated, PermissionDenied,
// InvalidArgument, ...), or nil while it runs or after a Close.
func (m *Mirror) Err() error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.err
}

// WaitSynced blocks until the first snapshot has been applied. It returns ctx's error when ctx
// ends first, or the mirror's error when the mirror stops first.
func (m *Mirror) WaitSynced(ctx context.Context) error {
	return m.wait(ctx, func() bool { return m.synced })
}

// WaitRevision blocks until the mirror is synced at revision rev or later, e.g. the revision a
// ListInstruments or an admin action returned, to read your own writes.
func (m *Mirror) WaitRevision(ctx context.Context, rev uint64) error {
	return m.wait(ctx, func() bool { return m.synced && m.revision >= rev })
}

func (m *Mirror) wait(ctx context.Context, ready func() bool) error {
	for {
		// Whether Run has returned is read before the state: everything Run wrote happened before
		// it closed done, so a stopped mirror's state read here is final.
		stopped := isClosed(m.done)
		m.mu.RLock()
		ok, err, changed := ready(), m.err, m.changed
		m.mu.RUnlock()
		switch {
		case ok:
			return nil
		case err != nil:
			return err
		case stopped:
			return ErrClosed
		}
		select {
		case <-changed:
		case <-m.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// notifyLocked wakes every waiter; the caller holds m.mu for writing.
func (m *Mirror) notifyLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}
