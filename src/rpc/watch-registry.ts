import { ServiceError } from '../domain/service-error.js';
import type { WatchStream } from './watch-stream.js';

/** The open watch streams, so shutdown can end them and tests can see that cancelling frees one. */
export class WatchRegistry {
  private readonly streams = new Set<WatchStream>();

  add(stream: WatchStream): void {
    this.streams.add(stream);
    stream.onClose(() => this.streams.delete(stream));
  }

  get size(): number {
    return this.streams.size;
  }

  /** Ends every stream with UNAVAILABLE: the client reconnects (elsewhere) and resumes. */
  endAll(reason: string): void {
    for (const stream of [...this.streams]) {
      stream.fail(new ServiceError('UNAVAILABLE', `${reason}; reconnect and resume with start_revision set to the revision of the last message you processed`));
    }
  }
}
