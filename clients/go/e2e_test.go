package mirror_test

// The mirror against the real server: after every kind of event its state must equal the server's
// ListInstruments (live view) at the same revision.

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	mirror "github.com/live-instruments/live-instruments/clients/go"
	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// startMirror starts a mirror of everything on the e2e server with fast reconnections; it is
// closed when the test ends. Its log is returned for assertions.
func startMirror(t *testing.T, opts ...mirror.Option) (*mirror.Mirror, *syncBuffer) {
	t.Helper()
	log := &syncBuffer{}
	opts = append([]mirror.Option{
		mirror.WithBackoff(10*time.Millisecond, 200*time.Millisecond),
		mirror.WithLogger(slog.New(slog.NewTextHandler(log, nil))),
	}, opts...)
	m := mirror.New(dial(t), opts...)
	m.Start(t.Context())
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := m.WaitSynced(timeout(t)); err != nil {
		t.Fatalf("WaitSynced: %v; log:\n%s", err, log)
	}
	return m, log
}

// eventually polls cond until it holds, failing the test after a minute.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// assertMirrorEqualsServer waits until the mirror is at the revision of a full ListInstruments and
// compares the two sets, and the mirror's lookups, instrument by instrument.
func assertMirrorEqualsServer(t *testing.T, m *mirror.Mirror) {
	t.Helper()
	c := client(t)
	listed, revision := listAll(t, c, 1000)
	if err := m.WaitRevision(timeout(t), revision); err != nil {
		t.Fatalf("WaitRevision(%d): %v (mirror at %d)", revision, err, m.Revision())
	}
	before, mine, after := m.Revision(), m.All(), m.Revision()
	if before != revision || after != revision {
		t.Fatalf("mirror at revision %d..%d, server listed at %d", before, after, revision)
	}
	if len(mine) != len(listed) || m.Len() != len(listed) {
		t.Fatalf("mirror holds %d (Len %d), server lists %d at revision %d", len(mine), m.Len(), len(listed), revision)
	}
	for i, want := range listed {
		if !proto.Equal(mine[i], want) {
			t.Fatalf("at revision %d instrument %d differs:\nmirror %v\nserver %v", revision, i, mine[i], want)
		}
		key := want.GetInstrumentKey()
		byKey, _ := m.Get(key)
		byCCXT, _ := m.ByCCXT(want.GetCcxtExchange(), want.GetCcxtSymbol())
		byRaw, _ := m.ByRaw(want.GetVenue(), want.GetExchangeRawSymbol())
		if byKey.GetInstrumentKey() != key || byCCXT.GetInstrumentKey() != key || byRaw.GetInstrumentKey() != key {
			t.Fatalf("lookups of %s: by key %q, by ccxt %q, by raw %q", key,
				byKey.GetInstrumentKey(), byCCXT.GetInstrumentKey(), byRaw.GetInstrumentKey())
		}
	}
}

func TestMirrorSyncsToTheServersState(t *testing.T) {
	m, _ := startMirror(t)
	if !m.Synced() || m.Len() == 0 {
		t.Fatalf("synced %v with %d instruments", m.Synced(), m.Len())
	}
	assertMirrorEqualsServer(t, m)
	if s := m.Stats(); s.Snapshots != 1 || s.Reconnects != 0 {
		t.Errorf("stats %+v, want one snapshot and no reconnection", s)
	}
}

// Real listings, delistings and parameter changes, both ways; the callback panics every time and
// the mirror carries on.
func TestMirrorFollowsRealChangesDespiteAPanickingCallback(t *testing.T) {
	revisions := make(chan uint64, 16)
	m, log := startMirror(t, mirror.OnChange(func(batch *instrumentsv1.ChangeBatch, revision uint64) {
		revisions <- revision
		panic("callback bug")
	}))
	for range 2 { // there and back
		revision := srv.use(t, srv.other())
		assertMirrorEqualsServer(t, m)
		select {
		case got := <-revisions:
			if got != revision {
				t.Errorf("OnChange at revision %d, want %d", got, revision)
			}
		case <-timeout(t).Done():
			t.Fatalf("OnChange not called for revision %d; stats %+v; log:\n%s", revision, m.Stats(), log)
		}
	}
	if s := m.Stats(); s.Snapshots != 1 || s.Batches != 2 {
		t.Errorf("stats %+v, want 1 snapshot then 2 batches", s)
	}
	if n := strings.Count(log.String(), "OnChange panicked"); n != 2 {
		t.Errorf("%d panics logged, want 2; log:\n%s", n, log)
	}
}

func TestMirrorResumesAfterDisconnectWithoutSnapshot(t *testing.T) {
	m, log := startMirror(t)
	if e := srv.command(t, "disconnect"); e.Watchers < 1 {
		t.Fatalf("disconnect ended %d watchers; the mirror's stream should be one", e.Watchers)
	}
	srv.use(t, srv.other())
	assertMirrorEqualsServer(t, m)
	if s := m.Stats(); s.Snapshots != 1 || s.Reconnects < 1 {
		t.Errorf("stats %+v, want a reconnection that resumed (still 1 snapshot); log:\n%s", s, log)
	}
	if !strings.Contains(log.String(), "code=Unavailable") {
		t.Errorf("the UNAVAILABLE disconnect is not logged:\n%s", log)
	}
}

// A synced mirror whose revision the server cannot resume from (here: ahead of it) re-lists, and
// the snapshot replaces its state whole (the instrument it lost comes back).
func TestMirrorRelistsOnOutOfRange(t *testing.T) {
	m, log := startMirror(t)
	mirror.Diverge(m, m.Revision()+1000, btcKey)
	if _, ok := m.Get(btcKey); ok {
		t.Fatal("Diverge did not drop the instrument")
	}
	srv.command(t, "disconnect")
	eventually(t, "a second snapshot", func() bool { return m.Stats().Snapshots == 2 })
	assertMirrorEqualsServer(t, m)
	if !strings.Contains(log.String(), "code=OutOfRange") {
		t.Errorf("no OUT_OF_RANGE answer logged:\n%s", log)
	}
}

// The first stream resumes from a revision the server never reached: OUT_OF_RANGE, then a snapshot.
func TestMirrorSnapshotsWhenItCannotResume(t *testing.T) {
	status, err := client(t).GetStatus(timeout(t), &instrumentsv1.GetStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	m, log := startMirror(t, mirror.WithStartRevision(status.GetRevision()+1000))
	assertMirrorEqualsServer(t, m)
	if s := m.Stats(); s.Snapshots != 1 || s.Reconnects != 1 {
		t.Errorf("stats %+v, want one refused resume then one snapshot", s)
	}
	if !strings.Contains(log.String(), "code=OutOfRange") {
		t.Errorf("no OUT_OF_RANGE answer logged:\n%s", log)
	}
}

// An error that retrying cannot fix stops the mirror at once and is reported everywhere.
func TestMirrorStopsOnInvalidArgument(t *testing.T) {
	m := mirror.New(dial(t), mirror.WithBackoff(time.Millisecond, time.Millisecond),
		mirror.WithFilter(&instrumentsv1.InstrumentFilter{Venues: []string{"NO-SUCH-VENUE"}}))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	err := m.Run(ctx) // returns nil if it were still retrying when ctx ends
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "NO-SUCH-VENUE") {
		t.Fatalf("Run: %v, want InvalidArgument naming the venue", err)
	}
	if waitErr := m.WaitSynced(ctx); !errors.Is(waitErr, err) || !errors.Is(m.Err(), err) {
		t.Errorf("WaitSynced %v, Err %v; want Run's error", waitErr, m.Err())
	}
	if s := m.Stats(); s.Reconnects != 0 {
		t.Errorf("%d reconnections after InvalidArgument", s.Reconnects)
	}
}
