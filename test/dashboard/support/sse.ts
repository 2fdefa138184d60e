import { PATIENCE_MS } from '../../support/wait-for.js';

export interface ServerSentEvent {
  event: string;
  data: string;
}

/** The events of a text/event-stream body, in order; comments and `retry:` lines are skipped. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

/** The next event that `accept`s; an error when the stream ends first, or after PATIENCE_MS. */
export async function nextEvent(events: AsyncGenerator<ServerSentEvent>, accept: (e: ServerSentEvent) => boolean, what: string): Promise<ServerSentEvent> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${Date.now() - started} ms for ${what}`)), PATIENCE_MS);
  });
  const found = (async () => {
    for (;;) {
      const { value, done } = await events.next();
      if (done) throw new Error(`event stream ended before ${what}`);
      if (accept(value)) return value;
    }
  })();
  return Promise.race([found, gaveUp]).finally(() => clearTimeout(timer));
}
