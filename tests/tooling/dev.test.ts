// `npm run dev` (scripts/dev.ts) for real: the server under tsx watch and Vite's dev server on
// free ports; a page comes from Vite (with its hot-reload client), /api/health, /metrics and a
// dashboard WebSocket reach the server through Vite's proxy; touching a server file restarts the
// server; SIGTERM stops everything, leaving no process behind in any of the groups involved.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const root = fileURLToPath(new URL('../../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The processes of process group `pgid` that still run (zombies, already dead and waiting for init to reap them, aside). */
function processesIn(pgid: number): string[] {
  const rows = execFileSync('ps', ['-eo', 'pid,pgid,stat,args'], { encoding: 'utf8' }).split('\n');
  return rows.filter((row) => {
    const [, group, stat] = row.trim().split(/\s+/);
    return group === String(pgid) && !stat?.startsWith('Z');
  });
}

const groupAlive = (pgid: number) => processesIn(pgid).length > 0;

interface Ready {
  ready: true;
  url: string;
  server: string;
  readyMs: number;
  processGroups: Record<string, number>;
}

/** Collects the dev command's stdout lines and hands out the first JSON line with `key`. */
class JsonLines {
  private lines: string[] = [];
  private buffer = '';
  output = '';
  constructor(proc: ChildProcess) {
    proc.stdout!.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      this.buffer += chunk.toString();
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop()!;
      this.lines.push(...parts);
    });
    proc.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }
  find<T>(key: string): T | undefined {
    for (const line of this.lines) {
      if (!line.startsWith('{')) continue;
      const value = JSON.parse(line) as Record<string, unknown>;
      if (key in value) return value as T;
    }
    return undefined;
  }
  async wait<T>(key: string, timeoutMs: number, proc: ChildProcess): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find<T>(key);
      if (found) return found;
      if (proc.exitCode !== null) throw new Error(`dev exited (${proc.exitCode}) before "${key}":\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no "${key}" line within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function firstMessage(url: string, origin: string, send: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { origin } });
    const timer = setTimeout(() => reject(new Error(`no message from ${url}`)), 10_000);
    ws.once('open', () => ws.send(JSON.stringify(send)));
    ws.once('message', (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(JSON.parse(String(data)) as Record<string, unknown>);
    });
    ws.once('error', reject);
  });
}

const groups: number[] = [];
afterAll(() => {
  // Only after a failed test: nothing may outlive it.
  for (const pgid of groups) if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
});

describe('npm run dev', () => {
  it('--help lists its options and how to pass server options', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', 'scripts/dev.ts', '--help'], { cwd: root }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(out).toContain('Usage: npm run dev -- [options] [-- server options]');
    expect(out).toMatch(/--vite-port <integer>/);
    expect(out).toContain('-- --no-demo');
  });

  it('serves the client from Vite and the server through its proxy, restarts the server on a change; SIGTERM stops both, nothing left', async () => {
    const [port, vitePort] = [await freePort(), await freePort()];
    // Its own process group, so that the test can check the group is empty afterwards. The model
    // in the main thread (no inference worker) starts the server, twice here, a few seconds sooner.
    const dev = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts', '--port', String(port), '--vite-port', String(vitePort), '--', '--no-demo', '--inference-worker', 'off'], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    groups.push(dev.pid!);
    const out = new JsonLines(dev);
    const ready = await out.wait<Ready>('ready', 90_000, dev);
    groups.push(...Object.values(ready.processGroups));
    console.log(`npm run dev ready in ${ready.readyMs} ms`);
    expect(ready.url).toBe(`http://127.0.0.1:${vitePort}/`);
    expect(ready.server).toBe(`http://127.0.0.1:${port}`);

    // Pages come from Vite: the source HTML with Vite's hot-reload client, not the built dist.
    const page = await fetch(ready.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/@vite/client');
    expect((await fetch(`${ready.url}phone/`)).status).toBe(200);

    // The server's routes through Vite's proxy.
    const health = await fetch(`${ready.url}api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(await (await fetch(`${ready.url}metrics`)).text()).toContain('sensorium_');
    const wsUrl = `ws://127.0.0.1:${vitePort}/ws/dashboard`;
    expect(await firstMessage(wsUrl, `http://127.0.0.1:${vitePort}`, { type: 'subscribe', devices: '*' })).toMatchObject({ type: 'devices' });

    // A change to a file the server imports restarts it (tsx watch): its uptime starts again.
    const before = (await (await fetch(`${ready.url}api/health`)).json()) as { uptimeSec: number };
    const changedAt = Date.now();
    const touched = new Date();
    utimesSync(fileURLToPath(new URL('../../server/log-output.ts', import.meta.url)), touched, touched);
    let restarted = false;
    while (!restarted && Date.now() - changedAt < 60_000) {
      await new Promise((r) => setTimeout(r, 250));
      const health = await fetch(`${ready.url}api/health`).catch(() => undefined);
      if (health?.status === 200) restarted = ((await health.json()) as { uptimeSec: number }).uptimeSec < before.uptimeSec;
    }
    expect(restarted, out.output).toBe(true);
    console.log(`server restarted and answering ${Date.now() - changedAt} ms after the change`);

    dev.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => (dev.exitCode !== null ? resolve(dev.exitCode) : dev.once('exit', (c) => resolve(c))));
    expect(code, out.output).toBe(0);
    expect(out.find('stopped')).toMatchObject({ stopped: true, reason: 'SIGTERM', exits: { server: 0 } });
    // esbuild's service processes (tsx, Vite) leave when their parent's pipe closes: allow them a moment.
    const deadline = Date.now() + 5000;
    while (groups.some(groupAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const pgid of groups) expect(groupAlive(pgid), `process group ${pgid} still has processes: ${processesIn(pgid).join('; ')}`).toBe(false);
    // Both ports are free again.
    for (const p of [port, vitePort]) {
      await new Promise<void>((resolve, reject) => {
        const srv = createServer().once('error', reject);
        srv.listen(p, '127.0.0.1', () => srv.close(() => resolve()));
      });
    }
  }, 120_000);
});
