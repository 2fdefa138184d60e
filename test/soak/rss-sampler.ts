import { readFileSync } from 'node:fs';

export interface RssSample {
  /** ms since the sampler started. */
  t: number;
  /** Resident set size, MB. */
  mb: number;
  /** Main thread's V8 heap in use and memory outside it (Buffers), MB, from the ops port's /metrics. */
  heapMb: number | undefined;
  externalMb: number | undefined;
}

/**
 * The child's resident set size every `everyMs`, from /proc (Linux), with the V8 heap in use
 * beside it from the ops port's /metrics: together they tell a heap that grows (objects kept)
 * from RSS that grows while the heap does not (allocator, buffers outside the heap).
 */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private heap: { heapMb: number | undefined; externalMb: number | undefined } = { heapMb: undefined, externalMb: undefined };

  constructor(private readonly pid: number, private readonly metricsUrl: string | undefined, everyMs = 1000) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  /** ms since the sampler started: marks the soak window. */
  now(): number {
    return Date.now() - this.started;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    try {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) this.samples.push({ t: this.now(), mb: Number(kb) / 1024, ...this.heap });
    } catch {
      // The process is gone (end of test): nothing more to sample.
    }
    // The heap figures lag by one sample: read now, recorded with the next one.
    if (this.metricsUrl !== undefined) {
      fetch(this.metricsUrl, { signal: AbortSignal.timeout(900) }).then((r) => r.text()).then((text) => {
        const mb = (name: string): number | undefined => {
          const bytes = new RegExp(`^instruments_${name} (\\S+)$`, 'm').exec(text)?.[1];
          return bytes === undefined ? undefined : Number(bytes) / 2 ** 20;
        };
        this.heap = { heapMb: mb('nodejs_heap_size_used_bytes'), externalMb: mb('nodejs_external_memory_bytes') };
      }).catch(() => { this.heap = { heapMb: undefined, externalMb: undefined }; });
    }
  }
}

export interface RssFigures {
  samples: number;
  startMb: number;
  /** Mean of the second quarter of the window: the level after warm-up. */
  afterWarmUpMb: number;
  /** Mean of the last quarter. */
  endMb: number;
  maxMb: number;
  /** Least-squares slope over the window after warm-up, MB per minute. */
  slopeMbPerMin: number;
  /** Mean RSS and heap in use of each tenth of the window, for the note: the shape of the curves. */
  tenthsMb: number[];
  heapTenthsMb: number[];
  externalTenthsMb: number[];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Figures of the samples in [from, to): the first quarter is warm-up (the V8 heap, the caches and
 * the allocator's arenas still growing to their working size) and is skipped; the second
 * quarter's mean is the level the last quarter's mean is compared with.
 */
export function rssFigures(all: readonly RssSample[], from: number, to: number): RssFigures {
  const window = all.filter((s) => s.t >= from && s.t < to);
  if (window.length < 8) throw new Error(`only ${window.length} RSS samples in the soak window`);
  const part = (i: number, of: number): RssSample[] => window.slice(Math.floor((window.length * i) / of), Math.floor((window.length * (i + 1)) / of));
  const settled = window.slice(Math.floor(window.length / 4));
  const tMean = mean(settled.map((s) => s.t));
  const yMean = mean(settled.map((s) => s.mb));
  const num = settled.reduce((a, s) => a + (s.t - tMean) * (s.mb - yMean), 0);
  const den = settled.reduce((a, s) => a + (s.t - tMean) ** 2, 0);
  const tenths = Array.from({ length: 10 }, (_, i) => part(i, 10));
  return {
    samples: window.length,
    startMb: (window[0] as RssSample).mb,
    afterWarmUpMb: mean(part(1, 4).map((s) => s.mb)),
    endMb: mean(part(3, 4).map((s) => s.mb)),
    maxMb: Math.max(...window.map((s) => s.mb)),
    slopeMbPerMin: den === 0 ? 0 : (num / den) * 60_000,
    tenthsMb: tenths.map((p) => mean(p.map((s) => s.mb))),
    heapTenthsMb: tenths.map((p) => mean(p.flatMap((s) => (s.heapMb === undefined ? [] : [s.heapMb])))),
    externalTenthsMb: tenths.map((p) => mean(p.flatMap((s) => (s.externalMb === undefined ? [] : [s.externalMb])))),
  };
}
