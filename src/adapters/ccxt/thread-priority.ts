import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Sets the calling thread's niceness (0-19), so that on a busy machine the thread answering RPCs
 * can get the core first and market loading takes what is left. Under CFS a nice-0 thread weighs
 * about 3× a nice-5 one and 9× a nice-10 one; the cost is slower refreshes when the machine is
 * saturated by other work. On Linux a thread has its own nice value, set through its thread id,
 * which /proc/thread-self names. Elsewhere (or if not permitted) the thread keeps its priority:
 * returns false, and loading still works.
 */
export function lowerThreadPriority(nice: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
