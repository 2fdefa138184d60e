package mirror

import (
	"context"
	"fmt"
	"time"

	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// stream runs one WatchChanges call: with a snapshot when from is 0, else resuming after revision
// from. It returns when the stream ends, reporting whether the server delivered anything (which
// resets the backoff).
func (m *Mirror) stream(ctx context.Context, from uint64) (delivered bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if len(m.opts.md) > 0 {
		md, _ := metadata.FromOutgoingContext(ctx)
		ctx = metadata.NewOutgoingContext(ctx, metadata.Join(md, m.opts.md))
	}
	watch, err := m.client.WatchChanges(ctx, &instrumentsv1.WatchChangesRequest{
		Filter:              m.opts.filter,
		SendInitialSnapshot: from == 0,
		StartRevision:       from,
	})
	if err != nil {
		return false, err
	}
	// The snapshot is collected aside and swapped in whole at snapshot_end, so lookups never see
	// a half-loaded state and a stream that breaks mid-snapshot leaves the old state intact.
	var pending *state
	if from == 0 {
		pending = newState(m.Len())
	}
	for {
		msg, err := watch.Recv()
		if err != nil {
			return delivered, err
		}
		delivered = true
		switch event := msg.GetEvent().(type) {
		case *instrumentsv1.WatchChangesResponse_Snapshot:
			if pending == nil {
				return true, protocolError("snapshot page without a snapshot request")
			}
			for _, d := range event.Snapshot.GetInstruments() {
				pending.put(d)
			}
			m.touch()
		case *instrumentsv1.WatchChangesResponse_SnapshotEnd:
			if pending == nil {
				return true, protocolError("snapshot_end without a snapshot request")
			}
			m.replace(pending, msg.GetRevision())
			pending = nil
		case *instrumentsv1.WatchChangesResponse_Changes:
			if pending != nil {
				return true, protocolError("change batch before snapshot_end")
			}
			m.apply(event.Changes, msg.GetRevision())
		case *instrumentsv1.WatchChangesResponse_Progress:
			if pending != nil {
				m.touch() // the snapshot's revision arrives with snapshot_end
			} else {
				m.advance(msg.GetRevision())
			}
		default:
			m.touch() // an event added to the API after this client: not ours to interpret
		}
	}
}

// protocolError ends a stream that broke the WatchChanges contract; the mirror reconnects with a
// snapshot rather than trust a state it could not follow.
func protocolError(what string) error {
	return status.Error(codes.Internal, fmt.Sprintf("mirror: unexpected WatchChanges message: %s", what))
}

func (m *Mirror) touch() {
	m.mu.Lock()
	m.lastMsg = time.Now()
	m.mu.Unlock()
}

func (m *Mirror) replace(s *state, revision uint64) {
	n := len(s.byKey)
	m.mu.Lock()
	m.st = s
	m.revision = revision
	m.synced = true
	m.relist = false
	m.stats.Snapshots++
	m.lastMsg = time.Now()
	m.notifyLocked()
	m.mu.Unlock()
	m.opts.logger.Info("instruments mirror synced", "instruments", n, "revision", revision)
}

func (m *Mirror) advance(revision uint64) {
	m.mu.Lock()
	m.revision = revision
	m.lastMsg = time.Now()
	m.notifyLocked()
	m.mu.Unlock()
}

func (m *Mirror) apply(batch *instrumentsv1.ChangeBatch, revision uint64) {
	m.mu.Lock()
	m.st.apply(batch)
	m.revision = revision
	m.stats.Batches++
	m.lastMsg = time.Now()
	m.notifyLocked()
	m.mu.Unlock()
	if m.opts.onChange != nil {
		m.callOnChange(batch, revision)
	}
}

// callOnChange shields the stream from the callback: a panic there must not stop the mirror that
// the rest of the process relies on.
func (m *Mirror) callOnChange(batch *instrumentsv1.ChangeBatch, revision uint64) {
	defer func() {
		if p := recover(); p != nil {
			m.opts.logger.Error("instruments mirror: OnChange panicked", "panic", p, "revision", revision)
		}
	}()
	m.opts.onChange(batch, revision)
}
