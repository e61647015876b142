// Child-process entry of a load-test server (see server-process.ts): starts a local server with
// the options in SENSORIUM_CHILD_SERVER (JSON), reports its URLs over IPC, answers snapshot
// requests, and exits when asked or when the parent goes away.
import { startLocalServer, type LocalServerOptions } from './local-server.js';
import { takeSnapshot } from './server-snapshot.js';
import type { ChildReply, ChildRequest } from './server-process.js';

const send = (m: ChildReply) => process.send?.(m);

async function run(): Promise<void> {
  if (!process.send) throw new Error('server-child.ts runs as a forked child (use startServerProcess)');
  const opts = JSON.parse(process.env.SENSORIUM_CHILD_SERVER ?? '{}') as LocalServerOptions;
  const local = await startLocalServer({ ...opts, log: (m) => console.error(`server: ${m}`) });
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await local.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (m: ChildRequest) => {
    if (m.type === 'snapshot') send({ type: 'snapshot', id: m.id, snapshot: takeSnapshot(local.server) });
    else if (m.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  send({ type: 'listening', deviceUrl: local.deviceUrl, httpUrl: local.httpUrl, pid: process.pid });
}

run().catch((err) => {
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});
