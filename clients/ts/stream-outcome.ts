import { status } from '@grpc/grpc-js';

// What a mirror does when its WatchChanges stream ends with a status. The split follows the
// service's contract (README "Changes and WatchChanges"): OUT_OF_RANGE means the revision to resume
// from is not resumable there (too old, or ahead of that server), so only a fresh snapshot helps;
// the codes that describe the request or the caller's credentials will not change by retrying, so
// retrying would only spin; everything else (UNAVAILABLE on shutdown, RESOURCE_EXHAUSTED for a slow
// reader, INTERNAL, a dropped connection) is transient and the watch resumes where it stopped.

export type StreamOutcome = 'resume' | 'relist' | 'fatal';

const FATAL = new Set<number>([
  status.UNAUTHENTICATED,
  status.PERMISSION_DENIED,
  status.INVALID_ARGUMENT,
  // A server without this RPC (wrong address, older deployment): retrying cannot help.
  status.UNIMPLEMENTED,
]);

export function outcomeOf(code: number): StreamOutcome {
  if (code === status.OUT_OF_RANGE) return 'relist';
  return FATAL.has(code) ? 'fatal' : 'resume';
}
