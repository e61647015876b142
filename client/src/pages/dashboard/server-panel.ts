// Server panel: throughput, batching, queue and latency from `stats` messages (and
// /api/health once at start-up, so the backend shows before the first stats message).
import type { ServerStatsMessage } from '../../../../protocol/sensor-messages.js';
import { HttpError } from '../../net/http.js';
import { requireElement } from '../../shared/dom.js';
import { formatNumber } from './device-table.js';

/** The parts of GET /api/health the dashboard reads (server/plugins/health.ts). */
export interface HealthSummary {
  /** 'degraded' comes with HTTP 503: the server cannot do its job (`problems` says why). */
  status: 'ok' | 'degraded';
  /** Why it is not ready (absent without a token on a server that has tokens). */
  problems?: string[];
  /** Absent when the server has tokens and this page has none (status only). */
  backend?: string;
  models?: { name: string; loaded: boolean; trained: boolean }[];
  warnings?: string[];
}

/** GET /api/health: a 503 (not ready) answers with the same summary as a 200, its problems named. */
export async function fetchHealth(): Promise<HealthSummary> {
  const res = await fetch('/api/health', { headers: { accept: 'application/json' } });
  if (res.status !== 200 && res.status !== 503) throw new HttpError(res.status, `GET /api/health failed (${res.status})`);
  return (await res.json()) as HealthSummary;
}

export class ServerPanel {
  private readonly fields: Record<'backend' | 'devices' | 'windows' | 'batch' | 'queue' | 'p50' | 'p99' | 'updated', HTMLElement>;
  private lastUpdate = 0;
  /** In a cluster: gateways, inference members and devices per gateway (hidden in one process). */
  private readonly cluster: HTMLElement | null;

  constructor(root: HTMLElement) {
    this.cluster = root.querySelector<HTMLElement>('[data-stat="cluster"]');
    const field = (name: string) => requireElement(`[data-stat="${name}"]`, root);
    this.fields = {
      backend: field('backend'),
      devices: field('devices'),
      windows: field('windows'),
      batch: field('batch'),
      queue: field('queue'),
      p50: field('p50'),
      p99: field('p99'),
      updated: field('updated'),
    };
  }

  showStats(stats: ServerStatsMessage): void {
    this.fields.backend.textContent = stats.backend;
    this.fields.devices.textContent = String(stats.devices);
    this.fields.windows.textContent = formatNumber(stats.windowsPerSec, 1);
    this.fields.batch.textContent = formatNumber(stats.meanBatch, 1);
    this.fields.queue.textContent = String(stats.queueDepth);
    this.fields.p50.textContent = `${formatNumber(stats.latencyMs.p50, 1)} ms`;
    this.fields.p99.textContent = `${formatNumber(stats.latencyMs.p99, 1)} ms`;
    this.lastUpdate = performance.now();
    this.fields.updated.textContent = 'just now';
    if (this.cluster) {
      const c = stats.cluster;
      this.cluster.hidden = c === undefined;
      if (c) {
        const perGateway = Object.entries(c.devicesByGateway)
          .map(([id, n]) => `${id}${id === c.nodeId ? ' (this one)' : ''}: ${n}`)
          .join(', ');
        this.cluster.textContent = `cluster: ${c.gateways} gateway${c.gateways === 1 ? '' : 's'}, ${c.inferenceMembers} inference member${c.inferenceMembers === 1 ? '' : 's'} — devices per gateway: ${perGateway}`;
      }
    }
  }

  /** /api/health answers before the first stats message: show its backend; returns its warnings. */
  showHealth(health: HealthSummary): string[] {
    if (this.fields.backend.textContent === '—' && health.backend) this.fields.backend.textContent = health.backend;
    // The server explains itself in `warnings`; say something when it does not.
    if (health.warnings && health.warnings.length > 0) return health.warnings;
    return (health.models ?? []).filter((m) => m.loaded && !m.trained).map((m) => `${m.name} is an untrained stand-in: its predictions are meaningless`);
  }

  /** Ages the "updated" field (called once a second). */
  tick(): void {
    if (this.lastUpdate === 0) return;
    const age = (performance.now() - this.lastUpdate) / 1000;
    this.fields.updated.textContent = age < 2 ? 'just now' : `${Math.round(age)} s ago`;
  }
}
