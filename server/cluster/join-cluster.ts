// From the cluster settings (--bus, --role, --node-id) to a membership buildServer takes: connects
// to NATS when --bus names servers. One process with the in-process bus needs no membership: it
// wires its parts directly. Gateways and inference members need a bus they share.
import { ConfigError, type ClusterConfig } from '../config.js';
import { connectNatsBus } from '../bus/nats-bus.js';
import type { ClusterMembership } from '../app.js';

export async function joinCluster(cluster: ClusterConfig, log: (message: string) => void): Promise<ClusterMembership | undefined> {
  if (cluster.bus.kind === 'memory') {
    if (cluster.role !== 'all') throw new ConfigError(`--role ${cluster.role} needs a bus shared with the other processes: add --bus nats://HOST:PORT`);
    return undefined;
  }
  const servers = cluster.bus.servers;
  let bus;
  try {
    bus = await connectNatsBus(servers, { name: `sensorium-${cluster.role}-${cluster.nodeId}`, onError: (err, subject) => log(`bus: ${subject}: ${err.message}`) });
  } catch (err) {
    throw new ConfigError(`cannot reach NATS at ${servers.join(', ')}: ${err instanceof Error ? err.message : String(err)} (start nats-server, or check --bus)`);
  }
  log(`sensorium: ${cluster.role} ${cluster.nodeId} on NATS ${servers.join(', ')}`);
  return { bus, role: cluster.role, nodeId: cluster.nodeId, requestTimeoutMs: cluster.requestTimeoutMs };
}
