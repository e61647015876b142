// The benchmarks `npm run bench` knows.
import type { Subcommand } from '../cli/subcommands.js';

export const benchmarks: Record<string, Subcommand> = {
  'lm-stream': { summary: 'LSTM incremental vs recompute; live typists on /ws/text: latency p50/p99, steps/s', load: () => import('./lm-stream.js') },
  bus: { summary: 'the bus in-process vs NATS on loopback: request/reply p50/p99, requests/s, messages/s, CPU per message', load: () => import('./bus.js') },
  soak: { summary: 'long run of real-time phones (and typists): RSS, heap, tensors, event-loop lag, p99 latency over time, with slopes', load: () => import('./soak.js') },
  fuzz: { summary: "hostile clients on every endpoint beside normal phones and typists: crashes, RSS, neighbours' p99 vs a calm run", load: () => import('./fuzz.js') },
  cluster: {
    summary: 'phones against a local cluster (nats-server, inference members, gateways): lost windows, failover after a kill, remote dashboards, CPU per window (--single, --compare-inference)',
    load: () => import('./cluster.js'),
  },
  backends: {
    summary: 'every backend that loads (webgpu too): HAR inference at batch 1/16/64/256, served batched vs unbatched, HAR/MNIST training, LSTM step of 64 sessions, adapter; ratios vs WASM (--quick)',
    load: () => import('./backends.js'),
  },
  'har-stream': { summary: 'simulated phones vs the streaming HAR server: windows/s, latency, batching (--compare, --ramp)', load: () => import('./har-stream.js') },
  train: {
    summary: 'training throughput (samples/s) of the reference models on wasm and cpu',
    load: () => import('./train.js'),
  },
};
