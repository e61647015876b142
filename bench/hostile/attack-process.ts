// The hostile mix in its own process, so that its CPU work and event loop are not the neighbours'
// (whose latencies the benchmark measures in this process): fork attack-child.ts under tsx, start
// the mix over IPC, hear its progress, and stop it early when the server under attack has died.
import { fork } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { HostileOptions, HostileProgress, HostileSummary } from './hostile-mix.js';

export type AttackRequest = { type: 'run'; options: HostileOptions } | { type: 'stop' };
export type AttackReply = { type: 'progress'; progress: HostileProgress } | { type: 'done'; summary: HostileSummary } | { type: 'failed'; message: string };

export interface AttackProcess {
  /** The mix's summary once it has stopped (by itself, or after stop()). */
  done: Promise<HostileSummary>;
  stop(): void;
}

const CHILD = fileURLToPath(new URL('./attack-child.ts', import.meta.url));

/**
 * `nice`: how much lower than this process the attack process runs. On one machine its own CPU
 * work (making frames, masking them, JSON.stringify of 2000-sample frames) competes with the
 * neighbours and the server for the same cores — load that remote attackers would not put on the
 * server's machine; at a lower priority it takes what is left and the figures show what the
 * server lets a client do to its neighbours.
 */
export function startAttackProcess(options: HostileOptions, onProgress?: (p: HostileProgress) => void, nice = 0): AttackProcess {
  const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (nice > 0 && child.pid !== undefined) {
    try {
      setPriority(child.pid, Math.min(19, getPriority() + nice));
    } catch {
      /* not permitted: it runs at our priority */
    }
  }
  const done = new Promise<HostileSummary>((resolve, reject) => {
    child.on('message', (m: AttackReply) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') {
        resolve(m.summary);
        child.disconnect();
      } else if (m.type === 'failed') reject(new Error(`the attack process failed: ${m.message}`));
    });
    child.once('exit', (code) => reject(new Error(`the attack process exited (code ${code}) without a summary`)));
  });
  child.send({ type: 'run', options } satisfies AttackRequest);
  return {
    done,
    stop: () => {
      if (child.connected) child.send({ type: 'stop' } satisfies AttackRequest);
    },
  };
}
