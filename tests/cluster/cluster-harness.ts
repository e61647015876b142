// A cluster of real servers on loopback for the cluster tests: inference members and gateways
// built in this process, each with its own bus connection (one shared in-process bus, or one NATS
// connection each), so the tests exercise the same parts a multi-process deployment runs.
import type { Bus } from '../../server/bus/bus.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { connectNatsBus } from '../../server/bus/nats-bus.js';
import type { NodeRole } from '../../protocol/bus-subjects.js';
import { startTestServer, type TestServer } from '../server/helpers.js';
import type { ConfigOverrides } from '../../server/config.js';

export interface ClusterNodeHandle extends TestServer {
  nodeId: string;
  role: NodeRole;
  bus: Bus;
  /** Closes the server, then its bus connection (the bus outlives the server). */
  stop(): Promise<void>;
}

/** Makes buses: one shared in-process bus, or a NATS connection per node. */
export type BusFactory = (nodeId: string) => Promise<Bus>;

export function memoryBuses(): BusFactory {
  const bus = new MemoryBus({ onError: () => {} });
  return async () => bus;
}

export function natsBuses(url: string): BusFactory {
  return (nodeId) => connectNatsBus(url, { name: nodeId, reconnectTimeWaitMs: 100, onError: () => {} });
}

export async function startNode(buses: BusFactory, role: NodeRole, nodeId: string, overrides: ConfigOverrides = {}, requestTimeoutMs = 500): Promise<ClusterNodeHandle> {
  const bus = await buses(nodeId);
  const srv = await startTestServer({ pipeline: { reorderWaitMs: 50 }, ...overrides }, { cluster: { bus, role, nodeId, requestTimeoutMs } });
  const stop = async () => {
    await srv.close();
    if (bus.kind === 'nats') await bus.close();
  };
  return { ...srv, nodeId, role, bus, stop };
}

/** Polls until check() holds (or throws after timeoutMs, naming what it waited for). */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
