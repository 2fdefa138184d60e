package mirror

// Test hooks: states a real server cannot be driven into on demand.

// WithStartRevision makes the first stream resume after rev instead of taking a snapshot, so a
// test can have the server answer OUT_OF_RANGE (a revision ahead of it).
func WithStartRevision(rev uint64) Option {
	return func(o *options) { o.startRevision = rev }
}

// Diverge moves a synced mirror to a revision the server never reached and drops one instrument,
// as a mirror whose server lost its history would be: its next resume gets OUT_OF_RANGE, and only
// a re-list brings the dropped instrument back.
func Diverge(m *Mirror, revision uint64, dropKey string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.revision = revision
	m.st.remove(dropKey)
}
