import type { MirrorErrorSource } from './mirror-options.js';

// The caller's callbacks run inside the gRPC stream's event handlers: an exception escaping there
// would crash the process or silently stop the mirror. Everything they throw (or reject with, for
// async callbacks) goes to onError instead, and onError itself is guarded the same way.

export type Report = (error: Error, source: MirrorErrorSource) => void;

export const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export function reporter(onError: Report | undefined): Report {
  return (error, source) => {
    try {
      onError?.(error, source);
    } catch {
      // Nowhere left to report to; the mirror carries on.
    }
  };
}

/** Runs a caller's callback; what it throws or rejects with is reported as 'callback'. */
export function runGuarded(run: () => void | Promise<void> | undefined, report: Report): void {
  try {
    const result = run();
    if (result instanceof Promise) result.catch((e: unknown) => report(asError(e), 'callback'));
  } catch (e) {
    report(asError(e), 'callback');
  }
}
