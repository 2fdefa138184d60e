package mirror_test

// A scripted in-process InstrumentService for mirror_test.go.

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	mirror "github.com/live-instruments/live-instruments/clients/go"
	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"
)

type watchStream = grpc.ServerStreamingServer[instrumentsv1.WatchChangesResponse]

// fakeService answers WatchChanges call n (0-based) with script(n, ...), recording every request.
type fakeService struct {
	instrumentsv1.UnimplementedInstrumentServiceServer
	script func(n int, stream watchStream) error

	mu       sync.Mutex
	requests []*instrumentsv1.WatchChangesRequest
	metadata []metadata.MD
}

func (f *fakeService) WatchChanges(req *instrumentsv1.WatchChangesRequest, stream watchStream) error {
	md, _ := metadata.FromIncomingContext(stream.Context())
	f.mu.Lock()
	n := len(f.requests)
	f.requests, f.metadata = append(f.requests, req), append(f.metadata, md)
	f.mu.Unlock()
	return f.script(n, stream)
}

func (f *fakeService) calls() []*instrumentsv1.WatchChangesRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*instrumentsv1.WatchChangesRequest(nil), f.requests...)
}

// fakeMirror serves script in-process and returns a (not started) mirror of it.
func fakeMirror(t *testing.T, script func(n int, stream watchStream) error, opts ...mirror.Option) (*mirror.Mirror, *fakeService) {
	t.Helper()
	fake := &fakeService{script: script}
	lis := bufconn.Listen(1 << 20)
	server := grpc.NewServer()
	instrumentsv1.RegisterInstrumentServiceServer(server, fake)
	go func() { _ = server.Serve(lis) }()
	t.Cleanup(server.Stop)
	conn, err := grpc.NewClient("passthrough:///fake",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	opts = append([]mirror.Option{mirror.WithBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)
	return mirror.New(conn, opts...), fake
}

func def(key, raw, symbol string) *instrumentsv1.InstrumentDefinition {
	return &instrumentsv1.InstrumentDefinition{InstrumentKey: key, Venue: "V", ExchangeRawSymbol: raw, CcxtExchange: "x", CcxtSymbol: symbol}
}

func snapshot(rev uint64, defs ...*instrumentsv1.InstrumentDefinition) []*instrumentsv1.WatchChangesResponse {
	return []*instrumentsv1.WatchChangesResponse{
		{Revision: rev, Event: &instrumentsv1.WatchChangesResponse_Snapshot{Snapshot: &instrumentsv1.SnapshotPage{Instruments: defs}}},
		{Revision: rev, Event: &instrumentsv1.WatchChangesResponse_SnapshotEnd{SnapshotEnd: &instrumentsv1.SnapshotEnd{}}},
	}
}

func batch(rev uint64, changes ...*instrumentsv1.InstrumentChange) *instrumentsv1.WatchChangesResponse {
	return &instrumentsv1.WatchChangesResponse{Revision: rev, Event: &instrumentsv1.WatchChangesResponse_Changes{Changes: &instrumentsv1.ChangeBatch{Changes: changes}}}
}

func change(kind instrumentsv1.ChangeType, d *instrumentsv1.InstrumentDefinition) *instrumentsv1.InstrumentChange {
	return &instrumentsv1.InstrumentChange{ChangeType: kind, InstrumentKey: d.GetInstrumentKey(), Instrument: d}
}

// send sends msgs, then ends the stream with end (nil: wait until the client goes away).
func send(stream watchStream, end error, msgs ...*instrumentsv1.WatchChangesResponse) error {
	for _, msg := range msgs {
		if err := stream.Send(msg); err != nil {
			return err
		}
	}
	if end == nil {
		<-stream.Context().Done()
	}
	return end
}
