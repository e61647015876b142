// `npm run dev`: the server restarted on every change of its code (tsx watch on server/main.ts)
// and Vite's dev server for the client (hot reload), which forwards /api, /ws and /metrics to the
// server (client/vite.config.ts, SENSORIUM_DEV_BACKEND). Open Vite's URL. Ctrl-C (or SIGTERM)
// stops both. Each child runs in a process group of its own, so that a terminal's Ctrl-C reaches
// only this script, which sends each child one SIGTERM (tsx watch relays it once to the server,
// whose graceful shutdown a second signal would cut short); once a child has exited, whatever
// is left in its group (the server under tsx watch, esbuild under Vite) is killed: no orphans.
// Progress on stderr; stdout: one JSON line when both answer, one when they have stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CliError, defineCommand, parseOptions } from '../cli/args.js';
import { runMain } from '../cli/subcommands.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TSX_CLI = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));
const VITE_CLI = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));
/** A child that ignores SIGTERM this long (the server's own shutdown deadline is 10 s) is killed. */
const STOP_GRACE_MS = 15_000;
const READY_TIMEOUT_MS = 120_000;

const command = defineCommand({
  usage: 'npm run dev -- [options] [-- server options]',
  summary: "The server, restarted when its code changes, behind Vite's dev server with hot reload for the client.",
  options: {
    port: { type: 'integer', min: 1, max: 65535, default: 8080, description: 'port of the server (Vite forwards /api, /ws and /metrics to it)' },
    'vite-port': { type: 'integer', min: 1, max: 65535, default: 5173, description: "port of Vite's dev server: the URL to open" },
    host: { type: 'string', default: '127.0.0.1', description: "interface Vite listens on (the server stays on 127.0.0.1 unless '-- --host' says otherwise)" },
  },
  notes: [
    'Everything after a second -- goes to the server (npm start -- --help lists it), e.g.',
    '  npm run dev -- --vite-port 3000 -- --no-demo --log-level debug',
    'The server restarts when a file it imports changes (server/, protocol/, models/...); client/',
    'changes reach the open pages through Vite. Ctrl-C stops both.',
  ].join('\n'),
});

interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | string>;
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  // stdout and stderr inherited: in a terminal the server's logs stay readable (pino-pretty), with colours.
  const proc = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => {
      killGroup(proc, 'SIGKILL'); // what the child leaves behind in its group
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return { name, proc, exited };
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (proc.pid !== undefined) process.kill(-proc.pid, signal);
  } catch {
    // ESRCH: the group is empty already
  }
}

const running = (c: Child) => c.proc.exitCode === null && c.proc.signalCode === null;

/** Resolves when `url` answers at all (any HTTP status); rejects if `child` exits first or after the timeout. */
async function answers(url: string, child: Child): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child.name} exited before answering at ${url}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`${child.name} did not answer at ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

/** SIGTERM to each child still running, SIGKILL after the grace period; resolves when all exited. */
async function stopAll(children: readonly Child[]): Promise<Record<string, number | string>> {
  for (const c of children) if (running(c)) c.proc.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const c of children) if (running(c)) killGroup(c.proc, 'SIGKILL');
  }, STOP_GRACE_MS);
  const codes = await Promise.all(children.map((c) => c.exited));
  clearTimeout(killer);
  return Object.fromEntries(children.map((c, i) => [c.name, codes[i]!]));
}

async function main(argv: string[]): Promise<void> {
  const split = argv.indexOf('--');
  const o = parseOptions(command, split >= 0 ? argv.slice(0, split) : argv);
  const serverArgs = split >= 0 ? argv.slice(split + 1) : [];
  if (serverArgs.some((a) => a === '--port' || a.startsWith('--port='))) throw new CliError('give the server port as --port before the second -- (Vite needs it too)');
  if (o.port === o['vite-port']) throw new CliError('--port and --vite-port must differ');

  const serverUrl = `http://127.0.0.1:${o.port}`;
  const viteUrl = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o['vite-port']}/`;
  const started = performance.now();
  const server = start('server', [TSX_CLI, 'watch', '--clear-screen=false', 'server/main.ts', '--port', String(o.port), ...serverArgs], process.env);
  const vite = start('vite', [VITE_CLI, '--config', 'client/vite.config.ts', '--port', String(o['vite-port']), '--strictPort', '--host', o.host], { ...process.env, SENSORIUM_DEV_BACKEND: serverUrl });
  const children = [server, vite];
  // Should this script die some other way, its children's groups go with it.
  process.on('exit', () => children.forEach((c) => killGroup(c.proc, 'SIGKILL')));

  let stopping: Promise<void> | undefined;
  let stopRequested!: () => void;
  const untilStopRequested = new Promise<void>((resolve) => (stopRequested = resolve));
  const stop = (why: string, exitCode: number) => {
    stopping ??= (async () => {
      console.error(`dev: ${why}: stopping the server and Vite`);
      const exits = await stopAll(children);
      console.log(JSON.stringify({ stopped: true, reason: why, exits }));
      process.exitCode = exitCode;
    })();
    stopRequested();
  };
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  for (const c of children) void c.exited.then((code) => void stop(`${c.name} exited (${code})`, 1));

  const ready = Promise.all([answers(`${serverUrl}/api/health`, server), answers(viteUrl, vite)]).then(
    () => {
      if (stopping) return;
      const readyMs = Math.round(performance.now() - started);
      console.error(`dev: open ${viteUrl} (hot reload; /api, /ws and /metrics go to the server on ${serverUrl}); ready in ${(readyMs / 1000).toFixed(1)} s. Ctrl-C stops both.`);
      const groups = Object.fromEntries(children.map((c) => [c.name, c.proc.pid]));
      console.log(JSON.stringify({ ready: true, url: viteUrl, server: serverUrl, readyMs, processGroups: groups }));
    },
    (err: unknown) => void stop(err instanceof Error ? err.message : String(err), 1),
  );
  await ready;
  // Runs until a signal or a child's exit stops everything.
  await untilStopRequested;
  await stopping;
}

void runMain('dev', () => main(process.argv.slice(2)));
