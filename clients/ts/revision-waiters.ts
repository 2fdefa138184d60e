// Promises for "the mirror has reached X": resolved when a condition becomes true after a message
// is applied, rejected together when the mirror stops, so no caller waits on a mirror that will
// never move again.

interface Waiter {
  ready: () => boolean;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export class Waiters {
  private readonly waiting = new Set<Waiter>();

  /** Resolves once `ready()` holds (at once if it already does); `describe` names it in a timeout. */
  until(ready: () => boolean, timeoutMs: number | undefined, describe: () => string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { ready, resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => this.settle(waiter, new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`)), timeoutMs);
      }
      this.waiting.add(waiter);
    });
  }

  /** Re-checks every waiter; call after each change of state. */
  check(): void {
    for (const w of this.waiting) if (w.ready()) this.settle(w);
  }

  rejectAll(error: Error): void {
    for (const w of this.waiting) this.settle(w, error);
  }

  private settle(w: Waiter, error?: Error): void {
    if (!this.waiting.delete(w)) return;
    clearTimeout(w.timer);
    if (error === undefined) w.resolve();
    else w.reject(error);
  }
}
