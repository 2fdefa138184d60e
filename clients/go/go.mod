module github.com/live-instruments/live-instruments/clients/go

go 1.25.0

require (
	github.com/live-instruments/live-instruments/gen/go v0.0.0
	google.golang.org/grpc v1.81.0
	google.golang.org/protobuf v1.36.12
)

require (
	golang.org/x/net v0.51.0 // indirect
	golang.org/x/sys v0.42.0 // indirect
	golang.org/x/text v0.34.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260226221140-a57be14db171 // indirect
)

// From a checkout the mirror builds against the stubs next to it; consumers outside the
// repository drop this line and require a tagged gen/go version (see README.md).
replace github.com/live-instruments/live-instruments/gen/go => ../../gen/go
