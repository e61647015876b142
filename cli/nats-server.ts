// A nats-server child process on a free loopback port, with JetStream (KV needs it) in a temp
// folder: for tests (tests/helpers/nats-server.ts), benchmarks and a local cluster without a NATS
// of one's own. restart() brings it back on the same port with the same storage. A tool: the
// server itself only connects to NATS.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CANDIDATES = [process.env.NATS_SERVER_BIN, '/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

/** Path of the nats-server binary, or undefined when none is installed. */
export function findNatsServer(): string | undefined {
  for (const candidate of CANDIDATES) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

export interface NatsServer {
  /** nats://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); restart() can bring it back. */
  stop(): Promise<void>;
  /** Stops it if running and starts it again on the same port with the same JetStream storage. */
  restart(): Promise<void>;
  /** Stops it and removes its storage. */
  dispose(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;
const LISTENING = /Listening for client connections on [^\s]*:(\d+)/;

/** Starts nats-server (JetStream on unless jetstream: false) and resolves once it accepts connections. */
export async function startNatsServer(options: { jetstream?: boolean } = {}): Promise<NatsServer> {
  const binary = findNatsServer();
  if (!binary) throw new Error('nats-server not found: install it (apt-get install nats-server) or set NATS_SERVER_BIN');
  const jetstream = options.jetstream ?? true;
  const storeDir = mkdtempSync(path.join(tmpdir(), 'sensorium-nats-'));
  // -p -1: the server picks a free port itself (no race with a port probed beforehand).
  let child = await launch(binary, -1, jetstream, storeDir);
  const port = child.port;
  const url = `nats://127.0.0.1:${port}`;
  const cleanupOnExit = (): void => {
    child.process.kill('SIGKILL');
  };
  process.once('exit', cleanupOnExit);

  const stop = async (): Promise<void> => {
    await terminate(child.process);
  };
  return {
    url,
    port,
    stop,
    async restart() {
      await stop();
      child = await launch(binary, port, jetstream, storeDir);
    },
    async dispose() {
      await stop();
      process.removeListener('exit', cleanupOnExit);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

interface Launched {
  process: ChildProcess;
  port: number;
}

async function launch(binary: string, port: number, jetstream: boolean, storeDir: string): Promise<Launched> {
  const args = ['-a', '127.0.0.1', '-p', String(port)];
  if (jetstream) args.push('-js', '-sd', storeDir);
  const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const listeningPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`nats-server did not start within ${STARTUP_TIMEOUT_MS} ms:\n${log}`)), STARTUP_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(err);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(new Error(`nats-server exited (${code ?? signal}) while starting:\n${log}`));
    const onLog = (chunk: string): void => {
      log = (log + chunk).slice(-8_000);
      const match = LISTENING.exec(log);
      if (!match) return;
      clearTimeout(timer);
      proc.off('exit', onExit);
      proc.off('error', fail);
      proc.stderr!.off('data', onLog);
      resolve(Number(match[1]));
    };
    proc.once('error', fail);
    proc.once('exit', onExit);
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', onLog);
  });
  // Keep reading its log so the pipe never fills and blocks the server.
  proc.stderr!.resume();
  await waitForAccept(listeningPort);
  return { process: proc, port: listeningPort };
}

function waitForAccept(port: number): Promise<void> {
  const deadline = performance.now() + STARTUP_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', (err) => {
        socket.destroy();
        if (performance.now() > deadline) reject(new Error(`nats-server on port ${port} does not accept connections: ${err.message}`));
        else setTimeout(attempt, 20);
      });
    };
    attempt();
  });
}

async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
