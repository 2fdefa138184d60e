package mirror

import (
	"log/slog"
	"time"

	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// ChangeFunc is called after a change batch has been applied, with the revision the mirror is now
// at. It runs on the mirror's stream goroutine: lookups from inside it already see the batch, and a
// slow callback delays the next batch (a server whose watcher falls too far behind ends the
// stream, and the mirror resumes; nothing is lost). A panic is recovered and logged.
type ChangeFunc func(batch *instrumentsv1.ChangeBatch, revision uint64)

// Option configures a Mirror.
type Option func(*options)

type options struct {
	filter         *instrumentsv1.InstrumentFilter
	md             metadata.MD
	onChange       ChangeFunc
	backoffInitial time.Duration
	backoffMax     time.Duration
	logger         *slog.Logger
	// startRevision makes the first stream resume after this revision instead of taking a
	// snapshot. Only tests set it (export_test.go): resuming without a state is meaningless.
	startRevision uint64
}

func defaultOptions() options {
	return options{
		backoffInitial: 200 * time.Millisecond,
		backoffMax:     15 * time.Second,
		logger:         slog.New(slog.DiscardHandler),
	}
}

// WithFilter mirrors only the instruments matching filter (nil, the default, mirrors everything).
// The filter is sent as is: an unknown venue or exchange makes the server answer INVALID_ARGUMENT,
// which stops the mirror.
func WithFilter(filter *instrumentsv1.InstrumentFilter) Option {
	return func(o *options) {
		o.filter = nil
		if filter != nil {
			// A copy: the caller may reuse its filter, and the mirror sends it again on every reconnect.
			o.filter = proto.Clone(filter).(*instrumentsv1.InstrumentFilter)
		}
	}
}

// WithMetadata adds gRPC metadata to every WatchChanges call, e.g. credentials a proxy expects.
// Metadata given with the same key by several options is sent with all values.
func WithMetadata(md metadata.MD) Option {
	return func(o *options) { o.md = metadata.Join(o.md, md) }
}

// WithBearerToken sends "authorization: Bearer <token>" with every call, as a server with
// auth.tokens expects. Prefer grpc.WithPerRPCCredentials on the connection when other calls share
// it; this option is for a mirror that owns its token.
func WithBearerToken(token string) Option {
	return WithMetadata(metadata.Pairs("authorization", "Bearer "+token))
}

// OnChange registers fn to be called after every applied change batch (not for snapshots).
func OnChange(fn ChangeFunc) Option {
	return func(o *options) { o.onChange = fn }
}

// WithBackoff sets the delay before the first reconnection attempt and its cap. Delays double
// per consecutive failure, each jittered into [d/2, d] so that many mirrors disconnected together
// (a server restart) do not reconnect together; a stream that delivered a message resets the sequence.
// Non-positive values keep the defaults (200ms, 15s).
func WithBackoff(initial, max time.Duration) Option {
	return func(o *options) {
		if initial > 0 {
			o.backoffInitial = initial
		}
		if max > 0 {
			o.backoffMax = max
		}
	}
}

// WithLogger logs reconnections, re-lists, recovered callback panics and the error that stopped
// the mirror. By default nothing is logged.
func WithLogger(logger *slog.Logger) Option {
	return func(o *options) {
		if logger != nil {
			o.logger = logger
		}
	}
}
