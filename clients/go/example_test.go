package mirror_test

import (
	"bytes"
	"context"
	"errors"
	"log"
	"os"
	"strings"
	"testing"

	mirror "github.com/live-instruments/live-instruments/clients/go"
	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// readmeExample is the usage example of README.md, copied there between the markers (a test
// compares the two).
func readmeExample(ctx context.Context, address string) error {
	// README-EXAMPLE-START
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	m := mirror.New(conn, mirror.OnChange(func(batch *instrumentsv1.ChangeBatch, revision uint64) {
		log.Printf("revision %d: %d changes", revision, len(batch.GetChanges()))
	}))
	m.Start(ctx)
	defer m.Close()
	if err := m.WaitSynced(ctx); err != nil {
		return err
	}
	btc, ok := m.ByCCXT("binanceusdm", "BTC/USDT:USDT")
	if !ok {
		return errors.New("BTC/USDT:USDT is not listed")
	}
	log.Printf("%s: tick %s, %d instruments", btc.GetInstrumentKey(), btc.GetTickSize(), m.Len())
	// README-EXAMPLE-END
	return nil
}

func TestReadmeExample(t *testing.T) {
	var out bytes.Buffer
	log.SetOutput(&out)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	if err := readmeExample(timeout(t), srv.address); err != nil {
		t.Fatal(err)
	}
	tick := canonical(t, rawSymbols(t, srv.current())["BTCUSDT"].filter("PRICE_FILTER", "tickSize"))
	if !strings.Contains(out.String(), btcKey+": tick "+tick+", ") {
		t.Errorf("logged %q, want the BTC perpetual and its tick", out.String())
	}
}

// README.md shows readmeExample's body as it is here.
func TestReadmeShowsTheExample(t *testing.T) {
	source, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(source), "// README-EXAMPLE-START\n")
	body, _, found := strings.Cut(rest, "\t// README-EXAMPLE-END")
	if !found {
		t.Fatal("no README-EXAMPLE markers in example_test.go")
	}
	var snippet strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		snippet.WriteString(strings.TrimPrefix(line, "\t")) // the function body's indentation
	}
	if !strings.Contains(string(readme), "```go\n"+snippet.String()+"```\n") {
		t.Errorf("README.md does not show the example as example_test.go has it:\n%s", snippet.String())
	}
}
