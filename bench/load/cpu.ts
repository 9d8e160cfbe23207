/**
 * CPU time of processes (Linux /proc), so the bench can report CPU per request: a figure that, unlike latency, does
 * not depend much on what else the shared machine is doing. Elsewhere (no /proc) the readings are NaN.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU milliseconds of one process, or 0 when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'; utime, stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return process.platform === 'linux' ? 0 : Number.NaN;
  }
}

/** Sum over processes. */
export function cpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
}
