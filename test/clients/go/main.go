// Command lookup looks up instruments through the generated Go stubs (gen/go) and prints JSON lines.
//
// Usage: lookup ADDRESS INSTRUMENT_KEY...  (one line per key: the instrument, or the gRPC error)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	instrumentsv1 "github.com/live-instruments/live-instruments/gen/go/instruments/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
)

func main() {
	conn, err := grpc.NewClient(os.Args[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer conn.Close()
	client := instrumentsv1.NewInstrumentServiceClient(conn)
	for _, key := range os.Args[2:] {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := client.GetInstrument(ctx, &instrumentsv1.GetInstrumentRequest{Lookup: &instrumentsv1.GetInstrumentRequest_InstrumentKey{InstrumentKey: key}})
		cancel()
		if err != nil {
			s := status.Convert(err)
			line, _ := json.Marshal(map[string]string{"code": s.Code().String(), "details": s.Message()})
			fmt.Println(string(line))
			continue
		}
		instrument, _ := protojson.Marshal(res.GetInstrument())
		line, _ := json.Marshal(map[string]any{"instrument": json.RawMessage(instrument), "revision": res.GetRevision()})
		fmt.Println(string(line))
	}
}
