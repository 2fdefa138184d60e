// Memory figures for the benches, the one place that reads them: resident memory of a process
// from /proc/<pid>/status (Linux; the service's in scale and watch-fanout, a probe's own in the
// scale probes), and the heap still reachable after a full GC (needs `node --expose-gc`; NaN
// without it).
import { readFileSync } from 'node:fs';

/** VmRSS (now) and VmHWM (peak since start) of process `pid` (default this one), in MiB. */
export function procStatusMb(pid = 'self') {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** This thread's heap in use after a full GC, in MiB: what it keeps, not what it has not collected yet. */
export function retainedHeapMb() {
  if (typeof globalThis.gc !== 'function') return NaN;
  globalThis.gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
