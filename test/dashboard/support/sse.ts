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

/** The next event that `accept`s, or an error when the stream ends first. */
export async function nextEvent(events: AsyncGenerator<ServerSentEvent>, accept: (e: ServerSentEvent) => boolean): Promise<ServerSentEvent> {
  for (;;) {
    const { value, done } = await events.next();
    if (done) throw new Error('event stream ended');
    if (accept(value)) return value;
  }
}
