import type { ServerWritableStream } from '@grpc/grpc-js';
import type { WatchChangesRequest, WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import { ServiceError } from '../domain/service-error.js';
import { toGrpcStatus } from './to-grpc-status.js';

export interface StreamLimits {
  /** Messages queued beyond what grpc-js buffers; past this the watcher is too slow and is ended. */
  maxPendingMessages: number;
}

type Call = ServerWritableStream<WatchChangesRequest, WatchChangesResponse>;

/**
 * One watcher's outgoing messages: written in order, holding back while grpc-js says its buffer
 * is full (write() false → wait for 'drain'), never queueing more than a bound. A watcher that
 * falls that far behind is ended with RESOURCE_EXHAUSTED and resumes from its last revision, so
 * one slow client never grows the server's memory or holds the others back.
 */
export class WatchStream {
  private readonly queue: WatchChangesResponse[] = [];
  private waitingForDrain = false;
  private closed = false;
  private readonly onCloseHandlers: Array<() => void> = [];

  constructor(private readonly call: Call, private readonly limits: StreamLimits) {
    const close = (): void => this.release();
    call.on('cancelled', close);
    call.on('close', close);
    call.on('error', close);
  }

  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.onCloseHandlers.push(handler);
  }

  send(message: WatchChangesResponse): void {
    if (this.closed) return;
    if (this.queue.length >= this.limits.maxPendingMessages) {
      this.fail(new ServiceError('RESOURCE_EXHAUSTED',
        `watcher too slow: more than ${this.limits.maxPendingMessages} messages waiting; reconnect with start_revision set to the revision of the last message you processed`));
      return;
    }
    this.queue.push(message);
    this.pump();
  }

  /**
   * Ends the stream with a status. Our queue is dropped at once; what grpc-js already holds (its
   * small buffer and the HTTP/2 window) is delivered before the status, so memory stays bounded
   * even for a client that has stopped reading.
   */
  fail(error: ServiceError): void {
    if (this.closed) return;
    this.queue.length = 0;
    this.release();
    this.call.emit('error', toGrpcStatus(error));
  }


  private pump(): void {
    while (!this.waitingForDrain && !this.closed && this.queue.length > 0) {
      const message = this.queue.shift() as WatchChangesResponse;
      if (!this.call.write(message)) {
        this.waitingForDrain = true;
        this.call.once('drain', () => {
          this.waitingForDrain = false;
          this.pump();
        });
      }
    }
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    for (const handler of this.onCloseHandlers.splice(0)) handler();
  }
}
