// Offline replay of recorded exchange responses for ccxt's `proxyUrl` (tests and demos).
export { startReplayServer, ReplayServer, type ReplayServerOptions } from './replay-server.js';
export type { OverrideResponse, ReplayResponse } from './replay-response.js';
export type { RequestLogEntry } from './request-log.js';
export { parseRequestTarget, type RequestTarget } from './request-target.js';
export { readFixtureIndex, type FixtureIndex, type RecordedEntry } from './fixture-index.js';
export { FixtureSet } from './fixture-set.js';
export { loadFixtureRoot } from './fixture-root.js';
export type { ReplayFault, FaultKind, FaultOptions } from './replay-fault.js';
export { truncateMarketList } from './fault-plan.js';
