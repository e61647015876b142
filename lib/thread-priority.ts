// Lowers the scheduling priority of the calling thread only. On Linux each thread has its own nice
// value, and setpriority() on "0" from a worker thread changes that thread alone: background work
// (image models, the text models' steps) then yields the cores to the main thread's sockets and the
// live HAR worker. On other systems the same call would lower the whole process, so there it does
// nothing.
import { setPriority } from 'node:os';

/** Sets this thread's nice value (0-19) on Linux; false where it cannot (other systems, refused). */
export function niceThisThread(nice: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    setPriority(nice);
    return true;
  } catch {
    return false; // e.g. a sandbox that forbids it: run at normal priority
  }
}
