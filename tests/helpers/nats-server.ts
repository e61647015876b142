// nats-server for tests (cli/nats-server.ts starts it). Without the binary the NATS tests are
// skipped with a message, except in CI, where a missing binary fails the run (skip-without.ts).
import { findNatsServer } from '../../cli/nats-server.js';
import { skipWithout } from './skip-without.js';

export { startNatsServer, type NatsServer } from '../../cli/nats-server.js';

/** True when the NATS tests should be skipped: no binary and not in CI. Says why, on stderr. */
export function skipNatsTests(): boolean {
  return skipWithout({
    found: Boolean(findNatsServer()),
    missing: 'nats-server not found (apt-get install nats-server, or set NATS_SERVER_BIN)',
    tests: 'the NATS tests',
  });
}
