import type { ServerResponse } from 'node:http';

export interface EventStreamLimits {
  /** Bytes queued for one client past which it is dropped instead of buffered further. */
  maxBufferedBytes: number;
  heartbeatMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = { maxBufferedBytes: 1024 * 1024, heartbeatMs: 15_000 };

/** One server-sent event. JSON.stringify escapes line breaks, so the data is always one line. */
export function formatEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The open /api/events connections. Each event is formatted once and written to every client; a
 * client whose socket does not drain (a stopped tab, a stalled proxy) is disconnected once its
 * queue passes the limit, so one slow reader never grows the server's memory. EventSource
 * reconnects by itself, and its first event then carries the full state again.
 */
export class EventStreamHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly limits: EventStreamLimits = DEFAULT_EVENT_STREAM_LIMITS) {
    // A comment line keeps idle connections open through proxies and lets dead ones be noticed.
    this.heartbeat = setInterval(() => this.writeAll(': heartbeat\n\n'), limits.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Starts the stream on `res` with `first` (already formatted events). */
  open(res: ServerResponse, first: string): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    // Unchecked: the first chunk is bounded by the history sizes, and it must get through.
    res.write(`retry: 3000\n\n${first}`);
  }

  broadcast(event: string, data: unknown): void {
    if (this.clients.size > 0) this.writeAll(formatEvent(event, data));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private writeAll(chunk: string): void {
    for (const res of this.clients) this.write(res, chunk);
  }

  private write(res: ServerResponse, chunk: string): void {
    if (res.writableLength + Buffer.byteLength(chunk) > this.limits.maxBufferedBytes) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(chunk);
  }
}
