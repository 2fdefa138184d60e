package mirror_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
)

// A raw WatchChanges stream sees the real listings, delistings and parameter changes between the
// two recordings, exactly as comparing the raw responses predicts.
func TestWatchChangesDeliversARealSwitch(t *testing.T) {
	if srv.current() != "newer" {
		srv.use(t, "newer")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	watch, err := client(t).WatchChanges(ctx, &instrumentsv1.WatchChangesRequest{
		Filter: &instrumentsv1.InstrumentFilter{CcxtExchanges: []string{"binanceusdm"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Without snapshot or start_revision the first message is progress: the revision it starts after.
	first, err := watch.Recv()
	if err != nil || first.GetProgress() == nil {
		t.Fatalf("first message %v, %v; want progress", first, err)
	}
	revision := srv.use(t, "older")
	want := expectSwitch(t, "newer", "older", time.Now())
	if len(want.added) == 0 || len(want.removed) == 0 || len(want.tickChanged) == 0 {
		t.Fatalf("the recordings should differ in every way: %d added, %d removed, %d tick changes", len(want.added), len(want.removed), len(want.tickChanged))
	}

	var changes []*instrumentsv1.InstrumentChange
	for last := first.GetRevision(); last < revision; {
		msg, err := watch.Recv()
		if err != nil {
			t.Fatalf("after revision %d (waiting for %d): %v", last, revision, err)
		}
		changes = append(changes, msg.GetChanges().GetChanges()...)
		last = msg.GetRevision()
	}

	added, removed := map[ident]bool{}, map[ident]string{}
	updated := map[string]*instrumentsv1.InstrumentChange{}
	for _, c := range changes {
		switch c.GetChangeType() {
		case instrumentsv1.ChangeType_CHANGE_TYPE_ADDED:
			added[ident{c.GetInstrument().GetExchangeRawSymbol(), c.GetInstrumentKey()}] = true
		case instrumentsv1.ChangeType_CHANGE_TYPE_REMOVED:
			reason := map[instrumentsv1.RemovalReason]string{
				instrumentsv1.RemovalReason_REMOVAL_REASON_EXPIRED:  "EXPIRED",
				instrumentsv1.RemovalReason_REMOVAL_REASON_DELISTED: "DELISTED",
			}[c.GetRemovalReason()]
			removed[ident{c.GetInstrument().GetExchangeRawSymbol(), c.GetInstrumentKey()}] = reason
			if c.GetInstrument().GetAvailableToDatetime() == nil {
				t.Errorf("%s removed without available_to_datetime", c.GetInstrumentKey())
			}
		case instrumentsv1.ChangeType_CHANGE_TYPE_UPDATED:
			updated[c.GetInstrument().GetExchangeRawSymbol()] = c
		}
	}
	diffSets(t, "added", want.added, added)
	diffSets(t, "removed (with reason)", want.removed, removed)
	for raw, ticks := range want.tickChanged {
		c := updated[raw]
		if c == nil {
			t.Errorf("%s: tick %s → %s, but no UPDATED change", raw, ticks[0], ticks[1])
			continue
		}
		if !slices.Contains(c.GetChangedFields(), "tick_size") || c.GetPrevious().GetTickSize() != ticks[0] || c.GetInstrument().GetTickSize() != ticks[1] {
			t.Errorf("%s: changed_fields %v, tick %q → %q; raw recordings say %s → %s", raw,
				c.GetChangedFields(), c.GetPrevious().GetTickSize(), c.GetInstrument().GetTickSize(), ticks[0], ticks[1])
		}
	}
	t.Logf("newer → older at revision %d: %d added, %d removed, %d updated (%d tick changes checked)",
		revision, len(added), len(removed), len(updated), len(want.tickChanged))
}

// diffSets reports, at most a few each, what was expected but missing and what was unexpected.
func diffSets[K comparable, V comparable](t *testing.T, what string, want, got map[K]V) {
	t.Helper()
	var missing, extra []string
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			missing = append(missing, fmt.Sprint(k, v))
		}
	}
	for k, v := range got {
		if w, ok := want[k]; !ok || w != v {
			extra = append(extra, fmt.Sprint(k, v))
		}
	}
	if len(missing)+len(extra) > 0 {
		slices.Sort(missing)
		slices.Sort(extra)
		t.Errorf("%s: %d expected from the raw recordings but not received %v; %d received but not expected %v",
			what, len(missing), missing[:min(5, len(missing))], len(extra), extra[:min(5, len(extra))])
	}
}
