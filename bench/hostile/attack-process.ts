// The hostile mix in its own process, so that its CPU work and event loop are not the neighbours'
// (whose latencies the benchmark measures in this process): start attack-child.ts under tsx, start
// the mix over IPC, hear its progress, and stop it early when the server under attack has died.
import { spawn, spawnSync } from 'node:child_process';
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
/** Its output goes to ours; progress and the summary come over IPC. */
const STDIO: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];

/** How the attack process shares the CPU with the server, the neighbours and the benchmark. */
export interface AttackPriority {
  /**
   * Linux SCHED_IDLE (through util-linux's `chrt`): it runs only on CPU time that no other
   * process wants, and a waking server or neighbour thread takes the core from it at once. Where
   * `chrt` is missing, `nice` applies instead.
   */
  idle: boolean;
  /** How much lower than this process it runs when not idle (0-19). */
  nice: number;
}

/**
 * On one machine the attack process's own CPU work (making frames, masking them, JSON.stringify
 * of 2000-sample frames) competes with the neighbours and the server for the same cores: load
 * that remote attackers would not put on the server's machine. At a lower priority it takes what
 * is left, and the figures show what the server lets a client do to its neighbours.
 */
export function startAttackProcess(options: HostileOptions, onProgress?: (p: HostileProgress) => void, priority: AttackPriority = { idle: false, nice: 0 }): AttackProcess {
  const args = ['--import', 'tsx', CHILD];
  // Threads inherit the policy of the thread that starts them: chrt sets it before node starts any.
  const idle = priority.idle && chrtAvailable();
  const child = idle ? spawn('chrt', ['--idle', '0', process.execPath, ...args], { stdio: STDIO }) : spawn(process.execPath, args, { stdio: STDIO });
  if (!idle && priority.nice > 0 && child.pid !== undefined) {
    try {
      setPriority(child.pid, Math.min(19, getPriority() + priority.nice));
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

let chrtFound: boolean | undefined;

/** Whether `chrt --idle` can start a process here (Linux with util-linux). */
export function chrtAvailable(): boolean {
  chrtFound ??= process.platform === 'linux' && spawnSync('chrt', ['--idle', '0', 'true'], { stdio: 'ignore' }).status === 0;
  return chrtFound;
}
