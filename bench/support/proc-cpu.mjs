// CPU time of OTHER processes, read from Linux's /proc/<pid>/stat (and /proc/<pid>/task/<tid>/stat):
// how busy the server under test (whole process: every thread, worker threads and GC helpers
// included; and its main thread alone, the thread whose id is the process id, which answers RPCs in
// a Node service) and the load generator were during a run. A "ceiling" where neither is near a
// full core was set by the machine (other work), not by either.
//
// Resolution: the kernel counts in clock ticks (CLK_TCK, 100 per second on Linux: 10 ms), so a
// single reading of a short piece of work says little; take means over rounds.
// Off Linux (no /proc) or for a process that is gone, the readers return undefined (or NaN
// figures) and benches report nothing rather than failing.
//
// Not here: the CPU a process measures of itself around one piece of work (process.cpuUsage(),
// microseconds, no /proc): that is cpu-meter.mjs, used inside the probe processes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try { ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100; } catch { ticksPerSecond = 100; }
  }
  return ticksPerSecond;
}

/**
 * The fields of a /proc stat file after `(comm)` (the command name may hold spaces and
 * parentheses: cut at the last ')'), 0-based from field 3 of proc(5), the state letter.
 * undefined when the file cannot be read.
 */
function statFields(path) {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime (fields 14 and 15 of proc(5): 11 and 12 after the state) in seconds. */
function cpuSecondsIn(path) {
  const f = statFields(path);
  return f && (Number(f[11]) + Number(f[12])) / clockTicks();
}

/** User + system CPU seconds used so far by process `pid`, every thread included. */
export function cpuSecondsOf(pid) {
  return cpuSecondsIn(`/proc/${pid}/stat`);
}

/** { processS, mainThreadS }: CPU seconds used so far by `pid` and by its main thread alone. */
export function cpuTimes(pid) {
  return { processS: cpuSecondsOf(pid), mainThreadS: cpuSecondsIn(`/proc/${pid}/task/${pid}/stat`) };
}

/** CPU used between two cpuTimes() readings over `wallMs`: seconds, and cores busy on average. */
export function cpuBetween(before, after, wallMs) {
  const processS = after.processS - before.processS;
  const mainThreadS = after.mainThreadS - before.mainThreadS;
  return { processS, mainThreadS, processCores: processS / (wallMs / 1000), mainThreadCores: mainThreadS / (wallMs / 1000) };
}

/**
 * User + system CPU seconds of THIS process's children that have exited and been waited for
 * (cutime + cstime of /proc/self/stat): around a run of a short-lived child such as ghz, what it
 * used, provided no other child of this process exits meanwhile.
 */
export function exitedChildrenCpuSeconds() {
  const f = statFields('/proc/self/stat');
  return f && (Number(f[13]) + Number(f[14])) / clockTicks();
}

/** The state letter of process `pid` (R running, S sleeping, T stopped, Z zombie...); undefined if gone. */
export function processState(pid) {
  return statFields(`/proc/${pid}/stat`)?.[0];
}
