import type { Observable } from 'rxjs';

/** How long one slice of deliveries may hold the event loop before yielding. */
export const DEFAULT_SLICE_MS = 5;

type Listener<T> = (item: T) => void;

interface Delivery<T> {
  listener: Listener<T>;
  item: T;
}

/**
 * Hands each item of `source` to every listener, in slices of at most `sliceMs`, yielding to the
 * event loop between slices (setImmediate). A batch written to a thousand watchers costs the
 * main thread hundreds of milliseconds (grpc-js frames every message with a copy); in one piece
 * that would hold every lookup back and keep every socket idle until the last write. In slices,
 * lookups are answered in between and the first watchers' bytes are on the wire while later ones
 * are written. Each listener gets items in order; a listener removed before its turn gets nothing.
 */
export class SlicedFanOut<T> {
  private readonly listeners = new Set<Listener<T>>();
  private readonly pending: Array<Delivery<T> | undefined> = [];
  private head = 0;
  private scheduled = false;

  constructor(source: Observable<T>, private readonly sliceMs = DEFAULT_SLICE_MS) {
    // Ends when the store completes its change stream (shutdown).
    source.subscribe((item) => {
      for (const listener of this.listeners) this.pending.push({ listener, item });
      this.schedule();
    });
  }

  /** Adds a listener for items published from now on; returns its removal. */
  listen(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Deliveries not yet made. */
  get backlog(): number {
    return this.pending.length - this.head;
  }

  private schedule(): void {
    if (this.scheduled || this.backlog === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.runSlice();
      } finally {
        // Even after a listener threw: the others still get their deliveries.
        this.schedule();
      }
    });
  }

  private runSlice(): void {
    const until = performance.now() + this.sliceMs;
    while (this.head < this.pending.length && performance.now() < until) {
      const delivery = this.pending[this.head] as Delivery<T>;
      this.pending[this.head++] = undefined;
      if (this.listeners.has(delivery.listener)) delivery.listener(delivery.item);
    }
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
    }
  }
}
