import { z } from 'zod';

// The YAML file's schema: the one source of validation, defaults, environment variable names and
// the README's configuration reference (`instruments config docs`), so none of them can drift.

const seconds = (min: number): z.ZodNumber => z.number().min(min);
const count = (): z.ZodNumber => z.number().int().min(1);
const hostPort = (): z.ZodString => z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'host:port');
const path = (): z.ZodString => z.string().min(1);
const pathList = (): z.ZodUnion<[z.ZodString, z.ZodArray<z.ZodString>]> => z.union([path(), z.array(path())]);

const tls = z.strictObject({
  cert_file: path().describe('PEM certificate chain of the server.'),
  key_file: path().describe('PEM private key of the server.'),
  client_ca_file: path().optional().describe('Set for mutual TLS: clients must present a certificate signed by this PEM CA.'),
}).describe('TLS for gRPC; leave out for plaintext (loopback or a TLS-terminating proxy only).');

const keepalive = z.strictObject({
  time_seconds: seconds(1).default(30).describe('Ping a connection idle this long, so a watch client that vanished without closing is noticed and its stream freed.'),
  timeout_seconds: seconds(1).default(10).describe('Close the connection when a ping is not answered within this.'),
}).describe('HTTP/2 keepalive for long-lived WatchChanges streams.');

const server = z.strictObject({
  listen: hostPort().default('127.0.0.1:50051').describe('gRPC address, host:port (port 0 picks a free one).'),
  tls: tls.optional(),
  keepalive: keepalive.prefault({}),
  shutdown_grace_seconds: seconds(0.1).default(10).describe('On SIGTERM/SIGINT: time for calls to finish, watches to end and state to flush before a forced exit.'),
  max_request_bytes: z.number().int().min(1024).default(1024 * 1024).describe('Largest request message accepted; bigger ones are refused with RESOURCE_EXHAUSTED before they are decoded. The largest valid request (BatchGetInstruments with 1,000 keys) is under 100 KB.'),
}).describe('The gRPC server.');

const auth = z.strictObject({
  enabled: z.boolean().default(false).describe('Require a bearer token on every RPC except grpc.health.v1 (and on the HTTP port when http.auth).'),
  tokens_file: path().optional().describe('Token file, one `name:token[:scope,...]` per line; INSTRUMENTS_AUTH_TOKENS adds more (entries separated by `;` or newlines).'),
}).describe('Bearer-token authentication.');

const http = z.strictObject({
  enabled: z.boolean().default(true).describe('Serve Prometheus metrics (/metrics) and the status dashboard (/).'),
  listen: hostPort().default('127.0.0.1:9464').describe('HTTP address for metrics and the dashboard, host:port.'),
  auth: z.boolean().default(true).describe('When auth.enabled, require a token with scope `http` here too (Bearer, or Basic with the token as password for browsers).'),
  tls: z.boolean().default(false).describe('Serve HTTPS with server.tls\'s certificate and key (and its client CA: then clients need a certificate here too).'),
}).describe('The operations HTTP port.');

const exchange = z.strictObject({
  ccxt: z.record(z.string(), z.unknown()).default({}).describe('CCXT constructor options passed through (e.g. `options: { defaultUnderlying: [BTC-USD] }`). Credentials are refused here: they come from <ID>_API_KEY / <ID>_SECRET.'),
  sandbox: z.boolean().default(false).describe('Use the exchange\'s testnet (CCXT setSandboxMode).'),
}).describe('One exchange.');

export const DEFAULT_EXCHANGE_IDS = ['binance', 'binanceusdm', 'binancecoinm', 'deribit', 'okx', 'mexc', 'dydx'];

const live = z.strictObject({
  enabled: z.boolean().default(true).describe('Load live markets; false serves only history and the last snapshot.'),
  provider: z.enum(['ccxt']).default('ccxt').describe('Where live markets come from.'),
  exchanges: z.record(z.string(), exchange.prefault({}))
    .default(Object.fromEntries(DEFAULT_EXCHANGE_IDS.map((id) => [id, { ccxt: {}, sandbox: false }])))
    .describe('CCXT exchange ids to serve, each with its settings (`{}` for none). Env and --exchanges take a comma-separated list of ids and keep the file\'s settings for them.'),
  update_interval_seconds: seconds(0.1).default(300).describe('Time between refreshes of one exchange.'),
  cache_ttl_seconds: seconds(1).default(900).describe('An exchange not refreshed within this is reported stale (status, dashboard, metrics); its instruments stay served.'),
  jitter_ratio: z.number().min(0).max(0.5).default(0.1).describe('Each interval is drawn from interval × (1 ± jitter), so exchanges do not fire together.'),
  retry_initial_seconds: seconds(0.01).default(5).describe('First retry delay after a failed load (doubles, at least Retry-After).'),
  retry_max_seconds: seconds(0.01).default(300).describe('Longest retry delay.'),
  load_timeout_seconds: seconds(0.1).default(120).describe('Longest one load of an exchange may take (its requests, their bodies and the conversion); then it fails with LoadTimeout, its requests are aborted and its load slot is freed. CCXT\'s own `timeout` (ms, default 10000, settable under `ccxt:`) only bounds each wait for response headers, not a body that trickles in.'),
  max_concurrent_loads: count().default(2).describe('Loads running at once across all exchanges.'),
  loader_nice: z.number().int().min(0).max(19).default(0).describe('CPU niceness of the threads that run CCXT and the conversion (Linux). Higher lets lookups win a busy core; on a machine saturated by other work it also slows refreshes (at 10 they get about a tenth of a core).'),
  max_removal_ratio: z.number().min(0).max(1).default(0.2).describe('A refresh removing more than this share of an exchange\'s instruments at once is held until the next one confirms it.'),
  proxy_url: z.string().min(1).optional().describe('CCXT proxyUrl: every request goes to `<proxy_url><original url>` (the replay exchange uses this).'),
}).describe('Live markets.');

const historical = z.strictObject({
  enabled: z.boolean().default(false).describe('Load historical definitions.'),
  provider: z.enum(['tardis']).default('tardis').describe('Format of the historical files: the Tardis instruments API.'),
  fallback: z.boolean().default(true).describe('The default (merged) view falls back to history for instruments and fields live does not have; false keeps history to view=HISTORICAL and as_of.'),
  path: pathList().optional().describe('Tardis-format file(s) or directories.'),
  url: z.union([z.url({ protocol: /^https?$/ }), z.array(z.url({ protocol: /^https?$/ }))]).optional().describe('Tardis instruments-API URL(s), http or https.'),
}).describe('Historical definitions.');

const watch = z.strictObject({
  progress_interval_seconds: seconds(0.05).default(10).describe('A quiet watch gets a progress message (current revision) this often.'),
  history_batches: count().default(1000).describe('Change batches kept for watchers resuming from a revision.'),
  history_changes: count().default(200_000).describe('Changes kept (over all kept batches) for resuming watchers.'),
  max_pending_messages: count().default(256).describe('Messages queued for one slow watcher before it is ended with RESOURCE_EXHAUSTED.'),
}).describe('WatchChanges streams.');

const monitoring = z.strictObject({
  enabled: z.boolean().default(false).describe('Send change alerts.'),
  alert_on_changes: z.boolean().default(true).describe('POST every change batch to webhook_url, signed with INSTRUMENTS_WEBHOOK_SECRET.'),
  webhook_url: z.url({ protocol: /^https?$/ }).optional().describe('Receiver of the change batches.'),
}).describe('Change alerts.');

const logging = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Least severe level written.'),
  format: z.enum(['auto', 'json', 'pretty']).default('auto').describe('JSON lines, or pretty for people; auto is pretty when stderr is a terminal.'),
}).describe('Logs (stderr).');

const NAME = 'letters, digits, and . _ : - (at most 64)';
const name = (): z.ZodString => z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, NAME).meta({ accepted: NAME });

const redis = z.strictObject({
  replica_id: name().optional().describe('This replica\'s name in leases, status and logs; default `<hostname>-<pid>`. Must differ between replicas.'),
  key_prefix: name().default('live-instruments').describe('Every key this service writes is under `{<key_prefix>}:` (one hash slot). Replicas that share a prefix share one state; a second deployment on the same Redis needs its own.'),
  lease_seconds: seconds(1).default(10).describe('An exchange\'s lease: its poller renews it every third of this; a replica that dies hands its exchanges over at most this long after its last renewal.'),
  stream_max_entries: count().default(1000).describe('Change-log entries kept in the Redis stream; a watcher can resume on any replica from a revision still in it (the compaction point is published under `{<key_prefix>}:compacted`).'),
  command_timeout_seconds: seconds(0.1).default(2).describe('A Redis call not answered within this fails; the replica then counts Redis as unreachable (serves what it has, applies nothing).'),
}).describe('Redis mode (`store: redis://…`): replicas share leases, a change log and a snapshot.');

export const configSchema = z.strictObject({
  server: server.prefault({}),
  auth: auth.prefault({}),
  http: http.prefault({}),
  live: live.prefault({}),
  historical: historical.prefault({}),
  watch: watch.prefault({}),
  monitoring: monitoring.prefault({}),
  logging: logging.prefault({}),
  data_dir: path().optional().describe('Durable state (last-known-good snapshots, change journal). `serve` defaults to ./.instruments-data. Not used in Redis mode, where the state lives in Redis.'),
  store: z.string().regex(/^(embedded|rediss?:\/\/\S+)$/).meta({ accepted: '`embedded` or a redis:// (rediss:// for TLS) URL' }).default('embedded').describe('`embedded`: this process polls every exchange and keeps its state in data_dir. `redis://[:password@]host:port[/db]`: replicas share Redis; each exchange is polled by one replica (a lease), revisions are global and any replica serves and resumes watches (see "Running several replicas" in the README).'),
  redis: redis.prefault({}),
});

export type ConfigFile = z.output<typeof configSchema>;
