// The last-resort process policy (server/process-policy.ts): an uncaught exception or an
// unhandled rejection is logged with its error, counted in /metrics, and the server keeps
// serving; only a burst of uncaught exceptions (a process that keeps failing) ends it, through
// the graceful shutdown.
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessPolicy } from '../../server/process-policy.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { sleep } from './helpers.js';

function policyUnderTest(opts: { maxUncaughtPerMinute?: number } = {}) {
  const logged: { obj: Record<string, unknown>; msg: string }[] = [];
  const fatal: string[] = [];
  let now = 0;
  const policy = new ProcessPolicy({
    log: { error: (obj, msg) => logged.push({ obj, msg }) },
    fatal: (reason) => fatal.push(reason),
    now: () => now,
    ...opts,
  });
  const proc = new EventEmitter();
  const uninstall = policy.install(proc);
  return { policy, proc, logged, fatal, uninstall, advance: (ms: number) => (now += ms) };
}

describe('process policy', () => {
  it('logs and counts an uncaught exception and keeps the process', () => {
    const t = policyUnderTest();
    const err = new Error('boom');
    t.proc.emit('uncaughtException', err, 'uncaughtException');
    expect(t.policy.counts).toEqual({ uncaughtException: 1, unhandledRejection: 0 });
    expect(t.logged).toEqual([{ obj: expect.objectContaining({ err, kind: 'uncaughtException' }), msg: expect.stringMatching(/uncaught exception.*kept serving/) }]);
    expect(t.fatal).toEqual([]);
  });

  it('logs and counts unhandled rejections, never ending the process for them', () => {
    const t = policyUnderTest({ maxUncaughtPerMinute: 2 });
    for (let i = 0; i < 50; i++) t.proc.emit('unhandledRejection', new Error(`r${i}`), Promise.resolve());
    t.proc.emit('unhandledRejection', 'a string reason', Promise.resolve());
    expect(t.policy.counts.unhandledRejection).toBe(51);
    expect(t.logged.at(-1)!.obj.err).toBeInstanceOf(Error); // non-errors are wrapped, so the log has a message and stack
    expect(String((t.logged.at(-1)!.obj.err as Error).message)).toMatch(/a string reason/);
    expect(t.fatal).toEqual([]);
  });

  it('gives up on a burst of uncaught exceptions (more than the limit within a minute), once', () => {
    const t = policyUnderTest({ maxUncaughtPerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      t.proc.emit('uncaughtException', new Error(`e${i}`), 'uncaughtException');
      t.advance(30_000); // spread out: never 4 within a minute
    }
    expect(t.fatal).toEqual([]);
    for (let i = 0; i < 5; i++) t.proc.emit('uncaughtException', new Error(`burst${i}`), 'uncaughtException');
    expect(t.fatal).toEqual([expect.stringMatching(/4 uncaught exceptions within a minute/)]);
    expect(t.policy.counts.uncaughtException).toBe(8);
  });

  it('takes the place of handlers that rethrow (as tfjs-backend-wasm installs), and gives it back when uninstalled', () => {
    const proc = new EventEmitter();
    const rethrow = (err: unknown) => {
      throw err;
    };
    proc.on('uncaughtException', rethrow);
    proc.on('unhandledRejection', rethrow);
    const policy = new ProcessPolicy({ log: { error: () => {} }, fatal: () => {} });
    const uninstall = policy.install(proc);
    expect(() => proc.emit('uncaughtException', new Error('x'), 'uncaughtException')).not.toThrow();
    expect(() => proc.emit('unhandledRejection', new Error('y'), Promise.resolve())).not.toThrow();
    expect(policy.counts).toEqual({ uncaughtException: 1, unhandledRejection: 1 });
    uninstall();
    expect(proc.listeners('uncaughtException')).toEqual([rethrow]);
    expect(proc.listeners('unhandledRejection')).toEqual([rethrow]);
  });
});

describe('process policy in the real server process', () => {
  let child: ChildServer | undefined;
  afterAll(() => {
    child?.proc.kill('SIGKILL');
  });

  it('survives an exception thrown from a callback and an unhandled rejection, counts both, keeps serving', async () => {
    const injector = fileURLToPath(new URL('./fixtures/inject-faults.mjs', import.meta.url));
    child = await startChildServer([], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${injector}`.trim() });
    expect((await fetch(`${child.url}/api/health`)).status).toBe(200);
    child.proc.kill('SIGUSR2');
    const exited = await Promise.race([child.exited, sleep(1500).then(() => 'alive')]);
    expect(exited).toBe('alive');
    expect((await fetch(`${child.url}/api/health`)).status).toBe(200);
    const metrics = await fetch(`${child.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^sensorium_process_errors_total\{kind="uncaughtException"\} 1$/m);
    expect(metrics).toMatch(/^sensorium_process_errors_total\{kind="unhandledRejection"\} 1$/m);
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 90_000);
});
