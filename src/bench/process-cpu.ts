import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every mainstream Linux build). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a `/proc/.../stat` file, seconds; null when it cannot be read or parsed. */
function statCpuSeconds(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : null;
}

/**
 * CPU time (user + system, every thread) a process has used so far, seconds, from
 * `/proc/<pid>/stat`; null where there is no /proc (not Linux) or the process is gone. Resolution
 * 10 ms, so it is for differences over seconds.
 */
export function processCpuSeconds(pid: number): number | null {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/**
 * CPU time (user + system) of a process's main thread alone, seconds, from
 * `/proc/<pid>/task/<pid>/stat` (a process's first thread has the process's id): for a node
 * server, the event loop's thread, without its worker threads and V8's helpers. Null as for
 * {@link processCpuSeconds}; same resolution.
 */
export function mainThreadCpuSeconds(pid: number): number | null {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}
