import { defer, Observable, type ObservableInput } from 'rxjs';

/**
 * A global cap on concurrent loads across exchanges (CPU for CCXT's parsing, and the
 * connections they open). `run` waits first-in first-out for a free slot and holds it until the
 * work completes, errors or is unsubscribed.
 */
export class LoadSlots {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`LoadSlots: max must be a positive integer, got ${max}`);
  }

  /** Slots held now. */
  get active(): number {
    return this.running;
  }

  /** Subscribers waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** `work` is called (and subscribed) only once a slot is held: nothing starts while waiting. */
  run<R>(work: () => ObservableInput<R>): Observable<R> {
    return new Observable<R>((subscriber) => {
      // `held` is set before subscribing: work that settles synchronously runs the teardown
      // below before `subscribe` has returned.
      let held = false;
      let inner: { unsubscribe(): void } | undefined;
      const start = (): void => {
        held = true;
        this.running += 1;
        // A plain observer, not `subscriber` itself, so the work's subscription stays its own.
        inner = defer(work).subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
      };

      if (this.running < this.max) start();
      else this.queue.push(start);

      return () => {
        if (!held) {
          // Left while waiting: give up the place in line; there is no slot to give back.
          this.queue.splice(this.queue.indexOf(start), 1);
          return;
        }
        inner?.unsubscribe(); // stop the work before its slot goes to the next in line
        this.running -= 1;
        if (this.running < this.max) this.queue.shift()?.();
      };
    });
  }
}
