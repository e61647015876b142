// Nice value of each thread of this process (Linux), to check which threads run at a lower priority.
import { readdirSync, readFileSync } from 'node:fs';

/** Nice value of each thread of this process, by thread id (field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): Map<string, number> {
  return new Map(
    readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    }),
  );
}

/** This process's main thread's nice value (0 off Linux). */
export function mainThreadNice(): number {
  return process.platform === 'linux' ? (threadNices().get(String(process.pid)) ?? 0) : 0;
}

/** Runs `start` (which starts worker threads) and gives the nice values of the threads it added, and the main thread's after it. */
export async function nicesOfNewThreads(start: () => Promise<unknown>): Promise<{ added: number[]; main: number | undefined }> {
  const before = threadNices();
  await start();
  const after = threadNices();
  return { added: [...after].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice), main: after.get(String(process.pid)) };
}
