// `npm start` as a child process (node with the server's flags, server/main.ts) for tests that kill it,
// signal it or restart it. Resolves once it prints its listening line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../../server/process-flags.js';

const MAIN = fileURLToPath(new URL('../../server/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildServer {
  proc: ChildProcess;
  url: string;
  wsUrl: (path: string) => string;
  /** Everything the child wrote to stderr so far. */
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) when the child exits. */
  exited: Promise<number | string>;
}

export async function startChildServer(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ChildServer> {
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, MAIN, '--port', '0', '--no-demo', '--backend', 'wasm', '--model', 'untrained', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...SERVER_ENV, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    const onData = () => {
      const m = /listening on (https?:\/\/[^\s]+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        proc.stderr!.off('data', onData);
        resolve(m[1]!);
      }
    };
    proc.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${err}`));
    });
  });
  return { proc, url, wsUrl: (path) => url.replace(/^http/, 'ws') + path, stderr: () => err, exited };
}
