import { ServerInterceptingCall, status as Status, type ServerInterceptor } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';

// Unary calls answer from memory: sub-millisecond to a few hundred ms for a 1000-item page.
const UNARY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
// A stream's lifetime: seconds (a client kicked or reconnecting in a loop) to days.
const STREAM_BUCKETS = [1, 10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

const CODE_NAMES = new Map<number, string>(
  Object.entries(Status).filter((e): e is [string, number] => typeof e[1] === 'number').map(([name, code]) => [code, name]),
);

/** A fixed set of label values: a code grpc-js does not know becomes UNKNOWN. */
export const codeName = (code: number | undefined): string => CODE_NAMES.get(code ?? Status.UNKNOWN) ?? 'UNKNOWN';

/** "/instruments.v1.InstrumentService/GetInstrument" → service and method labels. */
function splitPath(path: string): { service: string; method: string } {
  const slash = path.lastIndexOf('/');
  return { service: path.slice(path.startsWith('/') ? 1 : 0, Math.max(slash, 0)), method: path.slice(slash + 1) };
}

function deadlinePassed(deadline: Date | number): boolean {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) && at <= Date.now();
}

/**
 * RPC counts and latency, per method and status code, as a grpc-js server interceptor. Only
 * registered methods reach interceptors (grpc-js answers others with UNIMPLEMENTED itself), so
 * the method labels are a fixed set.
 *
 * A streaming call's latency would be its lifetime (a WatchChanges stream lives for hours), which
 * would drown the unary percentiles; streams get their own lifetime histogram instead, whose
 * short end shows clients that are ended early or reconnect in a loop.
 */
interface MethodSeries {
  duration: Histogram.Internal<string>;
  messages: Counter.Internal;
  requests: (code: string) => Counter.Internal;
}

export function rpcMetrics(registry: Registry): ServerInterceptor {
  const registers = [registry];
  const requests = new Counter({
    name: 'instruments_rpc_requests_total',
    help: 'RPCs finished, by gRPC service, method and status code (a cancelled call counts as CANCELLED, one past its deadline as DEADLINE_EXCEEDED).',
    labelNames: ['service', 'method', 'code'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'instruments_rpc_duration_seconds',
    help: 'Time from a unary RPC arriving to its status being sent, by gRPC service and method.',
    labelNames: ['service', 'method'] as const,
    buckets: UNARY_BUCKETS,
    registers,
  });
  const streamDuration = new Histogram({
    name: 'instruments_rpc_stream_duration_seconds',
    help: 'Lifetime of streaming RPCs (WatchChanges, reflection), by gRPC service and method.',
    labelNames: ['service', 'method'] as const,
    buckets: STREAM_BUCKETS,
    registers,
  });
  const streamMessages = new Counter({
    name: 'instruments_rpc_stream_messages_sent_total',
    help: 'Messages sent on streaming RPCs, by gRPC service and method.',
    labelNames: ['service', 'method'] as const,
    registers,
  });

  // Label children bound once per method (and code): prom-client otherwise hashes the label
  // object on every observation, which showed on the GetInstrument hot path.
  const methods = new Map<string, MethodSeries>();
  const seriesOf = (path: string, streaming: boolean): MethodSeries => {
    let series = methods.get(path);
    if (series === undefined) {
      const labels = splitPath(path);
      const codes = new Map<string, Counter.Internal>();
      series = {
        duration: (streaming ? streamDuration : duration).labels(labels),
        messages: streamMessages.labels(labels),
        requests: (code) => {
          let counter = codes.get(code);
          if (counter === undefined) codes.set(code, (counter = requests.labels({ ...labels, code })));
          return counter;
        },
      };
      methods.set(path, series);
    }
    return series;
  };

  return (descriptor, call) => {
    const streaming = descriptor.responseStream;
    const series = seriesOf(descriptor.path, streaming);
    const started = performance.now();
    let finished = false;
    // Exactly once per call: a handler may still send a status after the client cancelled.
    const finish = (code: string): void => {
      if (finished) return;
      finished = true;
      series.requests(code).inc();
      series.duration.observe((performance.now() - started) / 1000);
    };
    return new ServerInterceptingCall(call, {
      start: (next) => next({
        // grpc-js ends a call past its deadline itself and reports it to listeners as a cancel.
        onCancel: () => finish(deadlinePassed(call.getDeadline()) ? 'DEADLINE_EXCEEDED' : 'CANCELLED'),
      }),
      sendMessage: (message, next) => {
        if (streaming) series.messages.inc();
        next(message);
      },
      sendStatus: (status, next) => {
        finish(codeName(status.code));
        next(status);
      },
    });
  };
}
