package mirror_test

// The mirror against a scripted in-process server, for what the real one cannot be made to do on
// demand: refuse a token, stay down, break mid-snapshot, re-key a market within one batch.

import (
	"errors"
	"testing"
	"time"

	mirror "github.com/live-instruments/live-instruments/clients/go"
	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

var unavailable = status.Error(codes.Unavailable, "going away")

func TestFakeUnauthenticatedStopsAtOnceAndTheTokenIsSent(t *testing.T) {
	m, fake := fakeMirror(t, func(int, watchStream) error { return status.Error(codes.Unauthenticated, "bad token") },
		mirror.WithBearerToken("s3cret"), mirror.WithMetadata(metadata.Pairs("x-client", "mirror-test")))
	err := m.Run(timeout(t))
	if status.Code(err) != codes.Unauthenticated || !errors.Is(m.Err(), err) {
		t.Fatalf("Run %v, Err %v; want Unauthenticated", err, m.Err())
	}
	if n := len(fake.calls()); n != 1 {
		t.Errorf("%d WatchChanges calls, want 1 (no retry of an auth failure)", n)
	}
	fake.mu.Lock()
	md := fake.metadata[0]
	fake.mu.Unlock()
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer s3cret" {
		t.Errorf("authorization %q", got)
	}
	if got := md.Get("x-client"); len(got) != 1 || got[0] != "mirror-test" {
		t.Errorf("x-client %q", got)
	}
	if m.Run(t.Context()) == nil {
		t.Error("a second Run should be refused")
	}
}

// Down for a while: the mirror keeps serving its state, Staleness keeps growing across failed
// attempts, and it resumes after its last revision without a snapshot.
func TestFakeResumesAfterLastRevisionAndStalenessGrowsMeanwhile(t *testing.T) {
	up := make(chan struct{})
	a, b := def("K:A", "A", "A/X"), def("K:B", "B", "B/X")
	a2 := def("K:A", "A", "A/X")
	a2.TickSize = "0.5"
	m, fake := fakeMirror(t, func(n int, stream watchStream) error {
		switch {
		case n == 0:
			return send(stream, unavailable, append(snapshot(5, a, b), batch(6, change(instrumentsv1.ChangeType_CHANGE_TYPE_UPDATED, a2)))...)
		case isClosed(up):
			return send(stream, nil, batch(7, &instrumentsv1.InstrumentChange{ChangeType: instrumentsv1.ChangeType_CHANGE_TYPE_REMOVED, InstrumentKey: "K:B"}))
		default:
			return unavailable
		}
	})
	m.Start(t.Context())
	t.Cleanup(func() { _ = m.Close() })
	if err := m.WaitRevision(timeout(t), 6); err != nil {
		t.Fatal(err)
	}
	eventually(t, "staleness beyond several failed attempts", func() bool {
		return m.Staleness() > 50*time.Millisecond && len(fake.calls()) >= 4
	})
	if got, _ := m.Get("K:A"); got.GetTickSize() != "0.5" || m.Len() != 2 {
		t.Errorf("while down: %v, %d instruments; want the last state", got, m.Len())
	}
	before, mark := m.Staleness(), time.Now()
	close(up)
	if err := m.WaitRevision(timeout(t), 7); err != nil {
		t.Fatal(err)
	}
	if m.Staleness() >= before+time.Since(mark) {
		t.Errorf("staleness %s not reset by the resumed stream", m.Staleness())
	}
	for i, req := range fake.calls()[1:] {
		if req.GetSendInitialSnapshot() || req.GetStartRevision() != 6 {
			t.Fatalf("reconnection %d: %v, want start_revision 6 without snapshot", i+1, req)
		}
	}
	if _, ok := m.Get("K:B"); ok || m.Len() != 1 || m.Stats().Snapshots != 1 {
		t.Errorf("after resume: %d instruments, stats %+v", m.Len(), m.Stats())
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// A snapshot cut off half way is discarded, and the next stream takes a snapshot again.
func TestFakeBrokenSnapshotIsDiscarded(t *testing.T) {
	m, fake := fakeMirror(t, func(n int, stream watchStream) error {
		if n == 0 {
			return send(stream, unavailable, snapshot(3, def("K:OLD", "OLD", "OLD/X"))[0])
		}
		return send(stream, nil, snapshot(4, def("K:NEW", "NEW", "NEW/X"))...)
	})
	m.Start(t.Context())
	t.Cleanup(func() { _ = m.Close() })
	if err := m.WaitSynced(timeout(t)); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Get("K:NEW"); !ok || m.Len() != 1 || m.Revision() != 4 {
		t.Errorf("%d instruments at revision %d; want only K:NEW at 4", m.Len(), m.Revision())
	}
	for i, req := range fake.calls() {
		if !req.GetSendInitialSnapshot() {
			t.Errorf("call %d resumed before any snapshot completed: %v", i, req)
		}
	}
}

// A market re-keyed (same raw symbol, new CCXT symbol) arrives as ADDED new + REMOVED old in one
// batch: the raw-symbol index must end on the new key whatever the order.
func TestFakeRekeyedMarketInOneBatch(t *testing.T) {
	old, renamed := def("K:OLD", "R", "OLD/X"), def("K:NEW", "R", "NEW/X")
	m, _ := fakeMirror(t, func(n int, stream watchStream) error {
		return send(stream, nil, append(snapshot(1, old), batch(2,
			change(instrumentsv1.ChangeType_CHANGE_TYPE_ADDED, renamed),
			&instrumentsv1.InstrumentChange{ChangeType: instrumentsv1.ChangeType_CHANGE_TYPE_REMOVED, InstrumentKey: "K:OLD", Instrument: old}))...)
	})
	m.Start(t.Context())
	if err := m.WaitRevision(timeout(t), 2); err != nil {
		t.Fatal(err)
	}
	byRaw, _ := m.ByRaw("V", "R")
	_, oldCCXT := m.ByCCXT("x", "OLD/X")
	byCCXT, _ := m.ByCCXT("x", "NEW/X")
	if byRaw.GetInstrumentKey() != "K:NEW" || oldCCXT || byCCXT.GetInstrumentKey() != "K:NEW" || m.Len() != 1 {
		t.Errorf("by raw %q, old ccxt found %v, by new ccxt %q, %d instruments", byRaw.GetInstrumentKey(), oldCCXT, byCCXT.GetInstrumentKey(), m.Len())
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := m.WaitRevision(timeout(t), 3); !errors.Is(err, mirror.ErrClosed) {
		t.Errorf("WaitRevision after Close: %v, want ErrClosed", err)
	}
}
