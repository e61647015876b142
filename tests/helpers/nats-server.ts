// nats-server for tests (cli/nats-server.ts starts it). Without the binary the NATS
// tests are skipped with a message, except in CI (CI is set; .ci/run sets it and installs the
// binary), where a missing binary must fail the run rather than hide the tests.
import { findNatsServer } from '../../cli/nats-server.js';

export { startNatsServer, type NatsServer } from '../../cli/nats-server.js';

/** True when the NATS tests should be skipped: no binary and not in CI. Says why, on stderr. */
export function skipNatsTests(): boolean {
  if (findNatsServer() || process.env.CI) return false;
  process.stderr.write('nats-server not found (apt-get install nats-server, or set NATS_SERVER_BIN): skipping the NATS tests\n');
  return true;
}
