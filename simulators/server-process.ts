// A load-test server in its own process, so the load generator and the server don't share one
// event loop (and one core): fork server-child.ts under tsx, wait for it to listen, read its
// snapshots over IPC, stop it at the end.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../server/process-flags.js';
import type { LocalServerOptions } from './local-server.js';
import type { ServerSnapshot } from './server-snapshot.js';

export type ChildRequest = { type: 'snapshot'; id: number } | { type: 'stop' };
export type ChildReply = { type: 'listening'; deviceUrl: string; httpUrl: string; pid: number } | { type: 'snapshot'; id: number; snapshot: ServerSnapshot } | { type: 'failed'; message: string };

export interface ServerProcess {
  deviceUrl: string;
  httpUrl: string;
  pid: number;
  /** Settles when the process exits: after close(), or on its own (a crash). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  snapshot(): Promise<ServerSnapshot>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

/** `onStderr`: the server's stderr goes there instead of this process's (crash reports keep its last lines). */
export async function startServerProcess(opts: Omit<LocalServerOptions, 'log'>, startTimeoutMs = 60_000, onStderr?: (text: string) => void): Promise<ServerProcess> {
  const child = fork(CHILD, [], {
    execArgv: [...SERVER_NODE_FLAGS],
    env: { ...process.env, ...SERVER_ENV, SENSORIUM_CHILD_SERVER: JSON.stringify(opts) },
    stdio: ['ignore', 'inherit', onStderr ? 'pipe' : 'inherit', 'ipc'],
  });
  if (onStderr) child.stderr?.setEncoding('utf8').on('data', onStderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const pending = new Map<number, { resolve: (s: ServerSnapshot) => void; reject: (e: Error) => void }>();
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`the server process exited (code ${code})`));
    pending.clear();
  });
  const ready = await new Promise<Extract<ChildReply, { type: 'listening' }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the server process did not start within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    child.on('message', (m: ChildReply) => {
      if (m.type === 'listening') {
        clearTimeout(timer);
        resolve(m);
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`the server process failed to start: ${m.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server process exited (code ${code}) before listening`));
    });
  });

  let nextId = 0;
  child.on('message', (m: ChildReply) => {
    if (m.type === 'snapshot') {
      pending.get(m.id)?.resolve(m.snapshot);
      pending.delete(m.id);
    }
  });
  return {
    deviceUrl: ready.deviceUrl,
    httpUrl: ready.httpUrl,
    pid: ready.pid,
    exited,
    snapshot: () =>
      new Promise<ServerSnapshot>((resolve, reject) => {
        if (!child.connected) return reject(new Error('the server process is gone'));
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ type: 'snapshot', id } satisfies ChildRequest);
      }),
    close: async () => {
      if (child.exitCode !== null) return;
      if (child.connected) child.send({ type: 'stop' } satisfies ChildRequest);
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    },
  };
}
