package mirror

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errRunning is returned by a second Run or Start: one Mirror is one stream.
var errRunning = errors.New("mirror: already started")

// Stats counts what the mirror's stream has done, for metrics and tests.
type Stats struct {
	// Snapshots is how many full snapshots were applied: 1 after the first sync, +1 per re-list.
	Snapshots int
	// Reconnects is how many streams were opened after the first one.
	Reconnects int
	// Batches is how many change batches were applied.
	Batches int
}

// Stats returns the mirror's counters.
func (m *Mirror) Stats() Stats {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.stats
}

// Start runs the mirror in the background until Close or the end of ctx. Use WaitSynced to wait for
// the first snapshot and Err to learn why it stopped. A Mirror runs once: a second Start (or a
// Start after Run) panics.
func (m *Mirror) Start(ctx context.Context) {
	ctx, err := m.begin(ctx)
	if err != nil {
		panic(err)
	}
	go func() { _ = m.run(ctx) }()
}

// Run mirrors until ctx ends (returning nil) or an error that retrying cannot fix stops it
// (returning that error, a gRPC status error: Unauthenticated, PermissionDenied, InvalidArgument
// or Unimplemented). Every other stream error is retried with backoff. A Mirror runs once: a
// second Run returns an error.
func (m *Mirror) Run(ctx context.Context) error {
	ctx, err := m.begin(ctx)
	if err != nil {
		return err
	}
	return m.run(ctx)
}

// Close stops the mirror, waits for its stream to end and returns Err. Lookups keep answering from
// the last state. Not from inside OnChange: the stream it waits for is the one running the callback.
func (m *Mirror) Close() error {
	m.mu.RLock()
	cancel := m.cancel
	m.mu.RUnlock()
	if cancel != nil {
		cancel()
		<-m.done
	}
	return m.Err()
}

func (m *Mirror) begin(ctx context.Context) (context.Context, error) {
	err := errRunning
	m.runOnce.Do(func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		ctx, m.cancel = context.WithCancel(ctx)
		m.lastMsg = time.Now() // Staleness counts from the start until the first message
		err = nil
	})
	return ctx, err
}

func (m *Mirror) run(ctx context.Context) error {
	defer close(m.done)
	defer m.cancel()
	from := m.opts.startRevision // 0: snapshot
	failures := 0
	for {
		delivered, err := m.stream(ctx, from)
		if ctx.Err() != nil {
			return nil
		}
		if delivered {
			failures = 0 // the server was reachable: start the backoff sequence again
		}
		failures++
		code := status.Code(err)
		switch code {
		case codes.Unauthenticated, codes.PermissionDenied, codes.InvalidArgument, codes.Unimplemented:
			m.opts.logger.Error("instruments mirror stopped", "code", code, "err", err)
			m.mu.Lock()
			m.err = err
			m.notifyLocked()
			m.mu.Unlock()
			return err
		case codes.OutOfRange:
			// The server cannot resume from our revision (history trimmed, or a server that
			// restarted without its journal): take a fresh snapshot.
			m.mu.Lock()
			m.relist = true
			m.mu.Unlock()
		}
		from = m.resumeFrom()
		delay := m.backoff(failures)
		m.opts.logger.Warn("instruments mirror stream ended; reconnecting",
			"code", code, "err", err, "resume_from_revision", from, "in", delay)
		if !sleep(ctx, delay) {
			return nil
		}
		m.mu.Lock()
		m.stats.Reconnects++
		m.mu.Unlock()
	}
}

// resumeFrom is the start_revision of the next stream: the last applied revision, or 0 (take a
// snapshot) before the first sync and after OUT_OF_RANGE.
func (m *Mirror) resumeFrom() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !m.synced || m.relist {
		return 0
	}
	return m.revision
}

// backoff returns the delay before reconnection attempt n (1-based): initial·2^(n-1) capped at max,
// then jittered into [d/2, d] so that mirrors dropped together spread their reconnections.
func (m *Mirror) backoff(n int) time.Duration {
	d := m.opts.backoffInitial
	for i := 1; i < n && d < m.opts.backoffMax; i++ {
		d *= 2
	}
	d = min(d, m.opts.backoffMax)
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
