#!/usr/bin/env node
// Child of bench/versus-ccxt.mjs: what a fresh process pays to learn one instrument's tick size
// from the running service. Creates the generated grpc-js client, calls GetInstrument once, and
// prints one JSON line: the tick size, when it was answered (ms since this process started) and
// the process's CPU time at exit.
//
//   node bench/support/tick-via-service.mjs PORT INSTRUMENT_KEY
import { credentials } from '@grpc/grpc-js';
import { GetInstrumentRequest, InstrumentServiceClient } from '../../dist/gen/ts/instruments/v1/instrument_service.js';

const [port, key] = process.argv.slice(2);
const client = new InstrumentServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
client.getInstrument(GetInstrumentRequest.fromPartial({ instrumentKey: key }), (error, response) => {
  if (error) throw error;
  const answeredAtMs = performance.now();
  client.close();
  // Written at exit (synchronous on a pipe), so the CPU time covers the whole life of the process.
  process.on('exit', () => process.stdout.write(`${JSON.stringify({ tickSize: response.instrument.tickSize, answeredAtMs, cpu: process.cpuUsage() })}\n`));
});
