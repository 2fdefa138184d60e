// A grpc-js client that sends bytes as they are (identity serializers) to any method path, and
// reports how each call ended: the status the client saw and the raw response messages.
import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ClientDuplexStream, type StatusObject } from '@grpc/grpc-js';

export type CallKind = 'unary' | 'serverStream' | 'bidi';

export interface CallPlan {
  path: string;
  kind: CallKind;
  /** Unary and server streaming: exactly one. Bidi: written in order, then half-closed. */
  requests: Buffer[];
  /** Relative to the call's start; 0 or negative is a deadline already passed. Test input: the case's deadline. */
  deadlineMs: number;
  /** Cancel once this many responses have arrived (0: on the turn after the call starts). */
  cancelAfterMessages?: number;
  /** Cancel this long after the call starts, whatever has arrived. Test input: a cancel mid-call, not a wait. */
  cancelAfterMs?: number;
}

export interface Outcome {
  code: status;
  details: string;
  messages: Buffer[];
  /** The client cancelled before the call ended by itself. */
  cancelledByClient: boolean;
}

const identity = (x: Buffer): Buffer => x;
const RawClient = makeGenericClientConstructor({}, 'RawClient');

/**
 * No message limit here: the server's own limit is what a case tests. Each client has a
 * connection of its own (no shared subchannel), so a test can spread its calls over several.
 */
export function rawClient(address: string): Client {
  return new RawClient(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
    'grpc.use_local_subchannel_pool': 1,
  });
}

export function callRaw(client: Client, plan: CallPlan): Promise<Outcome> {
  const options = { deadline: Date.now() + plan.deadlineMs };
  const messages: Buffer[] = [];
  let cancelledByClient = false;
  return new Promise((resolve) => {
    if (plan.kind === 'unary') {
      const call = client.makeUnaryRequest(plan.path, identity, identity, plan.requests[0] ?? Buffer.alloc(0), new Metadata(), options, (error, value) => {
        if (value) messages.push(value);
        resolve(error ? { code: error.code, details: error.details, messages, cancelledByClient } : { code: status.OK, details: '', messages, cancelledByClient });
      });
      if (plan.cancelAfterMs !== undefined) {
        const timer = setTimeout(() => { cancelledByClient = true; call.cancel(); }, plan.cancelAfterMs);
        call.on('status', () => clearTimeout(timer));
      }
      return;
    }
    const call = plan.kind === 'serverStream'
      ? client.makeServerStreamRequest(plan.path, identity, identity, plan.requests[0] ?? Buffer.alloc(0), new Metadata(), options)
      : client.makeBidiStreamRequest(plan.path, identity, identity, new Metadata(), options);
    let timer: NodeJS.Timeout | undefined;
    const cancel = (): void => {
      cancelledByClient = true;
      call.cancel();
    };
    call.on('data', (message: Buffer) => {
      messages.push(message);
      if (messages.length === plan.cancelAfterMessages) cancel();
    });
    // 'error' repeats what 'status' says; listened to so an error status is not an unhandled event.
    call.on('error', () => {});
    call.on('status', (s: StatusObject) => {
      clearTimeout(timer);
      resolve({ code: s.code, details: s.details, messages, cancelledByClient });
    });
    if (plan.kind === 'bidi') {
      const duplex = call as ClientDuplexStream<Buffer, Buffer>;
      for (const request of plan.requests) duplex.write(request);
      duplex.end();
    }
    // Not synchronously: grpc-js 1.14 reports a stream cancelled in the same tick it was started
    // as CANCELLED, yet still opens its HTTP/2 stream and leaves it open, so the server rightly
    // keeps serving it (seen as watches that never close). On the next turn the cancel reaches the server.
    if (plan.cancelAfterMessages === 0) setImmediate(cancel);
    if (plan.cancelAfterMs !== undefined) timer = setTimeout(cancel, plan.cancelAfterMs);
  });
}
