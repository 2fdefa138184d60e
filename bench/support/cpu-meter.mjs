// CPU and wall time of one piece of work measured by the process doing it (process.cpuUsage(),
// microsecond resolution), for the probes that compare the service's own work with CCXT's
// (scale-load-probe.mjs, scale-store-probe.mjs). CPU is the whole process's (user + system, every
// thread: GC helpers included), so run nothing else in the process meanwhile.
//
// Kept apart from proc-cpu.mjs on purpose: that one reads another process's CPU from /proc in 10 ms
// ticks, from outside; this one times a single call from inside, finely enough for a few ms.

/** Starts a meter; calling the returned function gives { cpuMs, wallMs } since the start. */
function startMeter() {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return () => {
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return { cpuMs: (used.user + used.system) / 1000, wallMs };
  };
}

/** Runs `fn` (sync or async) and returns its result with { cpuMs, wallMs }. */
export async function metered(fn) {
  const stop = startMeter();
  const result = await fn();
  return { result, time: stop() };
}

/** Synchronous version: no await between start and end, so no other task runs inside. */
export function meteredSync(fn) {
  const stop = startMeter();
  const result = fn();
  return { result, time: stop() };
}

/** Adds { cpuMs, wallMs } times. */
export function sumTimes(times) {
  return times.reduce((a, t) => ({ cpuMs: a.cpuMs + t.cpuMs, wallMs: a.wallMs + t.wallMs }), { cpuMs: 0, wallMs: 0 });
}
