import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type WebhookVerification } from '../../../src/domain/webhook-signature.js';

export interface ReceivedRequest {
  /** 1-based, in arrival order, failed answers included. */
  index: number;
  arrivedAt: number;
  path: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
  verification: WebhookVerification;
  status: number;
}

/**
 * What to answer the request numbered `index`: a status, or `'hang'` to never answer. `after`
 * holds the answer until it settles, so a test decides when a request is answered; `delayMs`
 * then adds a pause (a receiver that takes its time; no test waits on it).
 */
export type Answer = { status: number; headers?: Record<string, string>; delayMs?: number; after?: Promise<unknown> } | 'hang';

/**
 * A real HTTP webhook receiver on 127.0.0.1: verifies every request's signature with the
 * shared secret, records it and answers what `answer` says (200 by default).
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** Requests whose connection closed before an answer (the sender aborted). */
  aborted = 0;
  answer: (index: number, request: IncomingMessage) => Answer = () => ({ status: 200 });

  private constructor(private readonly http: Server, readonly url: string, private readonly secret: string) {
    http.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const index = this.requests.length + 1;
        const answer = this.answer(index, req);
        const body = Buffer.concat(chunks).toString('utf8');
        const verification = verifyWebhook(
          this.secret,
          header(req.headers, 'x-instruments-timestamp'),
          header(req.headers, 'x-instruments-signature'),
          body,
          { nowSeconds: Math.floor(Date.now() / 1000) },
        );
        const status = answer === 'hang' ? 0 : answer.status;
        this.requests.push({ index, arrivedAt: performance.now(), path: req.url, headers: req.headers, body, verification, status });
        res.on('close', () => {
          if (!res.writableFinished) this.aborted += 1;
        });
        if (answer === 'hang') return;
        void Promise.resolve(answer.after).then(() => setTimeout(() => res.writeHead(answer.status, answer.headers).end(), answer.delayMs ?? 0));
      });
    });
  }

  static async start(secret: string): Promise<Receiver> {
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return new Receiver(http, `http://127.0.0.1:${port}/hooks/instruments`, secret);
  }

  /** Revisions answered 2xx, in arrival order. */
  accepted(): number[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300).map((r) => Number(r.headers['x-instruments-revision']));
  }

  close(): Promise<void> {
    this.http.closeAllConnections();
    return new Promise((resolve) => this.http.close(() => resolve()));
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
