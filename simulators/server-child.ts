// Child-process entry of a load-test server (see server-process.ts): starts a local server with
// the options in SENSORIUM_CHILD_SERVER (JSON), reports its URLs over IPC, answers snapshot
// requests, and exits when asked or when the parent goes away. Like `npm start`, it runs under the
// process policy (server/process-policy.ts): an uncaught exception is logged to stderr and counted
// in /metrics (sensorium_process_errors_total), and a burst of them ends the process (exit 70).
import { watchProcessErrors } from '../server/metrics/operations-metrics.js';
import { makeConfig } from '../server/config.js';
import { applyHeapPolicy } from '../server/heap-policy.js';
import { ProcessPolicy } from '../server/process-policy.js';
import { localServerOverrides, startLocalServer, type LocalServerOptions } from './local-server.js';
import { takeSnapshot } from './server-snapshot.js';
import type { ChildReply, ChildRequest } from './server-process.js';

const send = (m: ChildReply) => process.send?.(m);

async function run(): Promise<void> {
  if (!process.send) throw new Error('server-child.ts runs as a forked child (use startServerProcess)');
  const opts = JSON.parse(process.env.SENSORIUM_CHILD_SERVER ?? '{}') as LocalServerOptions;
  // The same heap policy as npm start (server/main.ts).
  applyHeapPolicy(makeConfig(localServerOverrides(opts)));
  const local = await startLocalServer({ ...opts, log: (m) => console.error(`server: ${m}`) });
  let closing = false;
  const stop = async (code = 0) => {
    if (closing) return;
    closing = true;
    await local.close().catch(() => undefined);
    process.exit(code);
  };
  const policy = new ProcessPolicy({
    log: { error: ({ err }, msg) => console.error(`server: ${msg}\n${err instanceof Error ? err.stack : String(err)}`) },
    fatal: (reason) => {
      console.error(`server: ${reason}: shutting down`);
      void stop(70);
    },
  });
  policy.install();
  watchProcessErrors(local.server.metrics.registry, () => policy.counts);
  process.on('message', (m: ChildRequest) => {
    if (m.type === 'snapshot') {
      const snapshot = takeSnapshot(local.server);
      // Each thread's share of the RSS: the workers answer over their message ports.
      void local.server.threadMemory().then(
        (threads) => send({ type: 'snapshot', id: m.id, snapshot: { ...snapshot, threads } }),
        () => send({ type: 'snapshot', id: m.id, snapshot }),
      );
    } else if (m.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  send({ type: 'listening', deviceUrl: local.deviceUrl, httpUrl: local.httpUrl, pid: process.pid });
}

run().catch((err) => {
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});
