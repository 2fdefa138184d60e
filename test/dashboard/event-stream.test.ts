// A client that stops reading /api/events is dropped once its queue passes the limit, instead of
// the server buffering for it without bound; a client that keeps reading stays connected.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { EventStreamHub, formatEvent } from '../../src/adapters/http/event-stream.js';
import { waitFor } from '../support/wait-for.js';
import { readEvents } from './support/sse.js';

let hub: EventStreamHub | undefined;
let server: Server | undefined;
let stalled: Socket | undefined;

afterEach(async () => {
  stalled?.destroy();
  hub?.close();
  await new Promise<void>((resolve) => {
    if (server === undefined) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

// Polled often: the loop below waits on the reader after every one of its hundreds of sends.
const until = (condition: () => boolean, what: string): Promise<true> => waitFor(() => condition(), what, { everyMs: 1 });

it('drops a client whose socket does not drain, and keeps one that reads', async () => {
  // Heartbeats are comments the reader skips; rare, so the stream carries only the test's events.
  const streams = new EventStreamHub({ maxBufferedBytes: 256 * 1024, heartbeatMs: 60_000 });
  hub = streams;
  const http = createServer((_req, res) => streams.open(res, formatEvent('status', { hello: true })));
  server = http;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  // A reader that consumes everything, counting filler events.
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal });
  let received = 0;
  const reading = (async () => {
    if (res.body === null) return;
    try {
      for await (const e of readEvents(res.body)) if (e.event === 'filler') received += 1;
    } catch {
      // aborted at the end of the test
    }
  })();
  await until(() => streams.size === 1, 'the reader');

  // A client that sends its request and then never reads.
  const socket = connect(port, '127.0.0.1');
  stalled = socket;
  socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  socket.pause();
  await until(() => streams.size === 2, 'the stalled client');

  const filler = 'x'.repeat(16 * 1024);
  let sent = 0;
  // The kernel's socket buffers take a few MiB (~260 sends here) before the server's queue grows;
  // the bound only keeps a broken drop from buffering without end.
  while (streams.size === 2 && sent < 2000) {
    streams.broadcast('filler', filler);
    sent += 1;
    await until(() => received >= sent || streams.size < 2, 'the reader to keep up');
  }
  expect(streams.size).toBe(1);
  await until(() => received === sent, 'the reader to get every event');
  abort.abort();
  await reading;
});
