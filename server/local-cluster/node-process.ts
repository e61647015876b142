// One Sensorium server process (server/main.ts) started by the local-cluster launcher: its own
// node under tsx, a role, a node id and a port. It is ready once it logs the URL it listens on;
// its stderr lines go to `onLog` (the launcher prefixes them, or keeps the last ones for a crash
// report). Its CPU time comes from /proc, so the launcher can tell what each process costs.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../process-flags.js';

/** The checkout's root: children run there so that `--import tsx` and relative paths resolve. */
export const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const SERVER_MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
/** How the server says it is up (server/main.ts). */
const LISTENING = /sensorium: listening on (\S+) /;
/** Lines of its log kept for the message when it dies. */
const KEPT_LINES = 20;

export type NodeRole = 'gateway' | 'inference' | 'all';

export interface NodeProcessOptions {
  role: NodeRole;
  nodeId: string;
  /** nats://… shared by the cluster; undefined: the in-process bus (role all only). */
  bus?: string;
  /** 0: a free port the server picks. */
  port: number;
  /** Further server options (npm start -- --help). */
  args?: readonly string[];
  /** Each line the server writes to stderr (and stdout). */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface NodeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class NodeStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeStartError';
  }
}

export class NodeProcess {
  private lastCpuMs = 0;
  private exitInfo: NodeExit | undefined;

  private constructor(
    readonly role: NodeRole,
    readonly nodeId: string,
    /** http://HOST:PORT */
    readonly url: string,
    private readonly child: ChildProcess,
    /** Settles when the process has exited, by itself or stopped. */
    readonly exited: Promise<NodeExit>,
  ) {
    void exited.then((e) => (this.exitInfo = e));
  }

  /** Starts the server and resolves once it listens; rejects (naming its last log lines) if it dies or hangs first. */
  static async start(opts: NodeProcessOptions): Promise<NodeProcess> {
    const args = [...SERVER_NODE_FLAGS, SERVER_MAIN, '--role', opts.role, '--node-id', opts.nodeId, '--port', String(opts.port)];
    if (opts.bus) args.push('--bus', opts.bus);
    args.push(...(opts.args ?? []));
    // Its own process group: a Ctrl-C in the terminal reaches the launcher only, which stops the
    // processes in order (gateways before the inference members they drain through).
    const child = spawn(process.execPath, args, { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...SERVER_ENV }, detached: true });
    // ...and so it must not outlive the launcher.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const exited = new Promise<NodeExit>((resolve) =>
      child.once('exit', (code, signal) => {
        process.removeListener('exit', killOnExit);
        resolve({ code, signal });
      }),
    );
    const recent: string[] = [];
    let onListening: ((url: string) => void) | undefined;
    const readLines = (stream: NodeJS.ReadableStream): void => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          recent.push(line);
          if (recent.length > KEPT_LINES) recent.shift();
          opts.onLog?.(line);
          const m = LISTENING.exec(line);
          if (m) onListening?.(m[1]!);
        }
      });
    };
    readLines(child.stdout!);
    readLines(child.stderr!);
    const timeoutMs = opts.startTimeoutMs ?? 90_000;
    const describe = `${opts.role} ${opts.nodeId}`;
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new NodeStartError(`${describe} did not listen within ${timeoutMs} ms; its last lines:\n${recent.join('\n')}`));
      }, timeoutMs);
      onListening = (u) => {
        clearTimeout(timer);
        resolve(u);
      };
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new NodeStartError(`${describe} could not be started: ${err.message}`));
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new NodeStartError(`${describe} exited (${signal ?? `code ${code}`}) while starting; its last lines:\n${recent.join('\n')}`));
      });
    });
    onListening = undefined;
    return new NodeProcess(opts.role, opts.nodeId, url, child, exited);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get wsUrl(): string {
    return this.url.replace(/^http/, 'ws');
  }

  /** CPU time (user + system, all threads) so far, ms; after it exited, the last reading. */
  cpuMs(): number {
    if (this.running) this.lastCpuMs = processCpuMs(this.pid) ?? this.lastCpuMs;
    return this.lastCpuMs;
  }

  /** Sends a signal (SIGKILL for a crash, as the benchmark's failover does). */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Graceful stop: SIGTERM (the server drains and closes), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<NodeExit> {
    if (!this.running) return this.exited;
    this.cpuMs();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/** Linux clock ticks per second (sysconf(_SC_CLK_TCK); 100 on every mainstream kernel build). */
const CLOCK_TICKS = 100;

/** CPU time of a process (all its threads), ms, from /proc/PID/stat; undefined when it is gone or not Linux. */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces, inside parentheses): state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS;
}

/** Pids of this process's children whose command is `name` (e.g. the nats-server it spawned). */
export function childPidsNamed(name: string, parent = process.pid): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids; // not Linux
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === name && ppid === parent) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}
