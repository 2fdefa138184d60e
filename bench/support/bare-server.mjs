#!/usr/bin/env node
// The transport ceiling for unary lookups: a bare @grpc/grpc-js Server, no interceptors, no
// health or reflection, serving only /instruments.v1.InstrumentService/GetInstrument with a
// constant, pre-encoded response. The request is not even decoded. What it costs per call is
// grpc-js and HTTP/2 alone, which is what the real service is compared with.
//
//   node bench/support/bare-server.mjs <response as hex>     prints its port on stdout
//
// The response is the exact bytes of a real GetInstrumentResponse (the caller gets it from the
// service), so both servers put the same bytes on the wire.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { exitWhenParentGoes } from './child-script.mjs';

const hex = process.argv[2];
if (!hex || !/^([0-9a-f]{2})+$/i.test(hex)) {
  console.error('usage: bare-server.mjs <GetInstrumentResponse bytes as hex>');
  process.exit(2);
}
const CONSTANT = Buffer.from(hex, 'hex');

// A service definition written by hand: no codec at all, the constant is the serialized response.
const definition = {
  GetInstrument: {
    path: '/instruments.v1.InstrumentService/GetInstrument',
    requestStream: false,
    responseStream: false,
    requestDeserialize: (bytes) => bytes,
    requestSerialize: (bytes) => bytes,
    responseSerialize: () => CONSTANT,
    responseDeserialize: (bytes) => bytes,
  },
};

const server = new Server();
server.addService(definition, { GetInstrument: (_call, callback) => callback(null, CONSTANT) });
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  console.log(port);
});

// Stopped by the bench (SIGTERM) or when the bench is gone: no calls are worth draining here.
exitWhenParentGoes(() => server.forceShutdown());
