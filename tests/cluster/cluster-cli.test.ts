// `npm run cluster`: the launcher starts nats-server, one inference member and one gateway as
// real processes, a phone streaming to the gateway gets predictions through the inference
// member, and SIGTERM stops every process it started. A server that fails at start makes the
// launcher exit 1 with that server's own message.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { skipNatsTests } from '../helpers/nats-server.js';
import { labelledRecording, TestClient, toFrames, sleep } from '../server/helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = 'server/local-cluster/cli.ts';

interface Launched {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

function launch(args: string[]): Launched {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Launched = { child, stdout: '', stderr: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (run.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (run.stderr += s));
  return run;
}

async function until(check: () => boolean, what: string, run: Launched, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; launcher stderr:\n${run.stderr.slice(-3000)}`);
    if (run.child.exitCode !== null) throw new Error(`the launcher exited (${run.child.exitCode}) before ${what}:\n${run.stderr.slice(-3000)}`);
    await sleep(100);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let running: Launched | undefined;
afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  running = undefined;
});

describe.skipIf(skipNatsTests())('npm run cluster', () => {
  it('starts 1 gateway + 1 inference member on a spawned nats-server; a phone gets predictions; SIGTERM stops them all', async () => {
    const run = (running = launch(['--gateways', '1', '--inference', '1', '--model', 'untrained', '--demo-phones', '0', '--quiet']));
    await until(() => run.stdout.trim().length > 0 && run.stdout.endsWith('\n'), 'the JSON line of URLs', run, 50_000);
    const urls = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      nats: string;
      gateways: { nodeId: string; deviceUrl: string; dashboardUrl: string; url: string; pid: number }[];
      inference: { nodeId: string; url: string; pid: number }[];
    };
    expect(urls.nats).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(urls.gateways.map((g) => g.nodeId)).toEqual(['gateway-1']);
    expect(urls.inference.map((n) => n.nodeId)).toEqual(['inference-1']);
    const [gateway] = urls.gateways;
    const health = (await (await fetch(`${gateway!.url}/api/health`)).json()) as { cluster: { gateways: number; inferenceMembers: number } };
    expect(health.cluster).toMatchObject({ gateways: 1, inferenceMembers: 1 });

    const phone = await TestClient.connect(gateway!.deviceUrl);
    phone.send({ type: 'hello', deviceId: 'cli-phone', rateHz: 50, units: 'g' });
    await phone.count('welcome', 1);
    const rec = labelledRecording([['walking', 8]]); // 400 samples: 5 windows of 128, hop 64
    for (const frame of toFrames(rec, 25)) {
      phone.send(frame);
      await sleep(2);
    }
    const predictions = await phone.count('prediction', 5, 20_000);
    expect(phone.of('error')).toEqual([]);
    expect(predictions.every((p) => typeof p.label === 'string')).toBe(true);
    phone.ws.close();

    const pids = [...urls.gateways, ...urls.inference].map((n) => n.pid);
    expect(pids.every(alive)).toBe(true);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stderr).toMatch(/stopping gateways[\s\S]*stopping inference members[\s\S]*stopping nats-server/);
    expect(pids.filter(alive)).toEqual([]);
  }, 60_000);

  it("exits 1 with the failing server's message when one dies at start", async () => {
    const run = (running = launch(['--gateways', '1', '--inference', '1', '--model', 'untrained', '--quiet', '--server-args=--max-batch 0']));
    expect(await run.exited).toBe(1);
    expect(run.stderr).toMatch(/exited \(code 2\) while starting/);
    expect(run.stderr).toMatch(/max-batch/);
    expect(run.stdout).toBe('');
  }, 60_000);
});
