// The TypeScript client helpers of live-instruments: import from here, not from the files beside.
export { InstrumentMirror } from './instrument-mirror.js';
export type { MirrorCounters, MirrorErrorSource, MirrorOptions, WatchClient } from './mirror-options.js';
export { DEFAULT_BACKOFF, type BackoffOptions } from './reconnect-backoff.js';
export { bearerMetadata } from './bearer-metadata.js';
