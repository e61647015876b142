// Fans the registry's streams out to dashboards: device list changes to every subscribed
// dashboard, predictions and signal to those watching the device, `stats` on a timer.
import type { Subscription } from 'rxjs';
import type { WebSocket } from 'ws';
import type { ServerStatsMessage } from '../../protocol/sensor-messages.js';
import type { ServerContext } from '../context.js';
import { DashboardConnection, OutgoingMessage } from './dashboard-connection.js';

export class DashboardHub {
  private readonly dashboards = new Set<DashboardConnection>();
  private readonly subscriptions: Subscription[] = [];
  private readonly statsTimer: ReturnType<typeof setInterval>;
  private droppedByDeparted = 0;
  /** Dashboards watching every device, and the ids some dashboard watches by name (rebuilt on each (re)subscribe and close). */
  private watchingAll = 0;
  private watchedIds = new Set<string>();

  constructor(private readonly ctx: ServerContext) {
    const { registry } = ctx;
    this.subscriptions.push(
      registry.devices$.subscribe((devices) => this.toAll(new OutgoingMessage({ type: 'devices', devices }))),
      registry.predictions$.subscribe((p) => this.isWatched(p.deviceId) && this.toWatchers(p.deviceId, new OutgoingMessage(p))),
      registry.signals$.subscribe((s) => this.isWatched(s.deviceId) && this.toWatchers(s.deviceId, new OutgoingMessage(s))),
    );
    registry.watched = (deviceId) => this.isWatched(deviceId);
    this.statsTimer = setInterval(() => this.tick(), ctx.config.dashboard.statsIntervalMs);
    this.statsTimer.unref();
  }

  get size(): number {
    return this.dashboards.size;
  }

  /** Messages dropped so far because a dashboard read too slowly (connected dashboards plus departed ones). */
  droppedMessages(): number {
    let sum = this.droppedByDeparted;
    for (const d of this.dashboards) sum += d.dropped;
    return sum;
  }

  /**
   * Takes a new /ws/dashboard socket, or refuses it when there are too many. Only dashboards
   * that showed a token count against maxDashboards: those whose token is still to come (in
   * their subscribe) are bounded apart (preAuth.maxDashboards) and must subscribe within
   * preAuth.timeoutMs, so sockets that never authenticate cannot lock real dashboards out.
   */
  add(ws: WebSocket, authenticated = !this.ctx.auth.required): void {
    const { maxDashboards, preAuth } = this.ctx.config;
    if (authenticated ? !this.hasAuthenticatedSlot() : this.dashboards.size - this.authenticatedCount() >= preAuth.maxDashboards) {
      ws.close(1013, authenticated ? `at most ${maxDashboards} dashboards` : `at most ${preAuth.maxDashboards} dashboards waiting for a token`);
      return;
    }
    const dashboard = new DashboardConnection(ws, {
      maxBufferedBytes: this.ctx.config.maxBufferedBytes,
      slowConsumerMs: this.ctx.config.slowConsumerMs,
      auth: this.ctx.auth,
      authenticated,
      preAuth,
      subscribeTimeoutMs: authenticated ? undefined : preAuth.timeoutMs,
      onAuthenticated: () => (this.hasAuthenticatedSlot() ? { ok: true } : { ok: false, reason: `at most ${maxDashboards} dashboards` }),
      errorsPerSec: this.ctx.config.rateLimit.errorsPerSec,
      onSubscribe: (d) => {
        this.indexWatches();
        d.send(new OutgoingMessage({ type: 'devices', devices: this.ctx.registry.list() }));
        d.send(new OutgoingMessage(this.statsMessage()));
      },
      onClose: (d) => {
        this.droppedByDeparted += d.dropped;
        this.dashboards.delete(d);
        this.indexWatches();
      },
    });
    this.dashboards.add(dashboard);
  }

  private authenticatedCount(): number {
    let n = 0;
    for (const d of this.dashboards) if (d.isAuthenticated) n++;
    return n;
  }

  private hasAuthenticatedSlot(): boolean {
    return this.authenticatedCount() < this.ctx.config.maxDashboards;
  }

  statsMessage(): ServerStatsMessage {
    const inference = this.ctx.inference.stats();
    const latency = this.ctx.stats.latencyMs();
    return {
      type: 'stats',
      backend: this.ctx.backend,
      devices: this.ctx.registry.size,
      windowsPerSec: round2(this.ctx.stats.windowsPerSec()),
      meanBatch: round2(inference.meanBatch),
      queueDepth: inference.queueDepth,
      latencyMs: { p50: round2(latency.p50), p99: round2(latency.p99) },
    };
  }

  close(): void {
    clearInterval(this.statsTimer);
    for (const s of this.subscriptions) s.unsubscribe();
    this.ctx.registry.watched = () => false;
  }

  /** Does any dashboard watch this device? (Asked per frame and per prediction: a lookup, not a scan.) */
  isWatched(deviceId: string): boolean {
    return this.watchingAll > 0 || this.watchedIds.has(deviceId);
  }

  private indexWatches(): void {
    let all = 0;
    const ids = new Set<string>();
    for (const d of this.dashboards) {
      const w = d.watching;
      if (w === '*') all++;
      else if (w) for (const id of w) ids.add(id);
    }
    this.watchingAll = all;
    this.watchedIds = ids;
  }

  private tick(): void {
    if (this.dashboards.size === 0) return;
    const stats = new OutgoingMessage(this.statsMessage());
    let devices: OutgoingMessage | undefined;
    for (const d of this.dashboards) {
      if (!d.subscribed) continue;
      if (d.devicesStale) {
        devices ??= new OutgoingMessage({ type: 'devices', devices: this.ctx.registry.list() });
        if (d.send(devices)) d.devicesStale = false;
      }
      d.send(stats);
    }
  }

  private toAll(message: OutgoingMessage): void {
    for (const d of this.dashboards) if (d.subscribed) d.send(message);
  }

  private toWatchers(deviceId: string, message: OutgoingMessage): void {
    for (const d of this.dashboards) if (d.watches(deviceId)) d.send(message);
  }
}

const round2 = (v: number) => Math.round(v * 100) / 100;
