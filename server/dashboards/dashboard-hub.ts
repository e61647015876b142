// Fans the live feed out to dashboards: device list changes to every subscribed dashboard,
// predictions and signal to those watching the device, `stats` on a timer. It tells the feed
// what its dashboards watch, so devices nobody watches skip their signal.
import type { Subscription } from 'rxjs';
import type { WebSocket } from 'ws';
import { CloseCode } from '../../protocol/close-codes.js';
import type { ServerStatsMessage } from '../../protocol/sensor-messages.js';
import type { ServerConfig } from '../config.js';
import type { LiveFeed } from '../fan-out/live-feed.js';
import type { Auth } from '../security/auth.js';
import { DashboardConnection, OutgoingMessage } from './dashboard-connection.js';

/** What the hub needs: the feed, token checks, its limits, and the server's figures for `stats`. */
export interface DashboardHubDeps {
  feed: LiveFeed;
  auth: Auth;
  config: Pick<ServerConfig, 'dashboard' | 'maxDashboards' | 'preAuth' | 'maxBufferedBytes' | 'slowConsumerMs' | 'rateLimit'>;
  /** The server's figures now (backend, devices, throughput, latency). */
  stats(): Omit<ServerStatsMessage, 'type'>;
}

export class DashboardHub {
  private readonly dashboards = new Set<DashboardConnection>();
  private readonly subscriptions: Subscription[] = [];
  private readonly statsTimer: ReturnType<typeof setInterval>;
  private droppedByDeparted = 0;
  /** Dashboards watching every device, and the ids some dashboard watches by name (rebuilt on each (re)subscribe and close). */
  private watchingAll = 0;
  private watchedIds = new Set<string>();
  /** The latest `stats` message and when it was made (performance.now()). */
  private stats: { message: OutgoingMessage; madeAt: number } | undefined;

  constructor(private readonly deps: DashboardHubDeps) {
    const { feed } = deps;
    this.subscriptions.push(
      feed.devices$.subscribe((devices) => this.toAll(new OutgoingMessage({ type: 'devices', devices }))),
      feed.predictions$.subscribe((p) => this.isWatched(p.deviceId) && this.toWatchers(p.deviceId, new OutgoingMessage(p))),
      feed.signals$.subscribe((s) => this.isWatched(s.deviceId) && this.toWatchers(s.deviceId, new OutgoingMessage(s))),
    );
    this.statsTimer = setInterval(() => this.tick(), deps.config.dashboard.statsIntervalMs);
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
  add(ws: WebSocket, authenticated = !this.deps.auth.required): void {
    const { maxDashboards, preAuth } = this.deps.config;
    if (authenticated ? !this.hasAuthenticatedSlot() : this.dashboards.size - this.authenticatedCount() >= preAuth.maxDashboards) {
      ws.close(CloseCode.tryAgainLater, authenticated ? `at most ${maxDashboards} dashboards` : `at most ${preAuth.maxDashboards} dashboards waiting for a token`);
      return;
    }
    const dashboard = new DashboardConnection(ws, {
      maxBufferedBytes: this.deps.config.maxBufferedBytes,
      slowConsumerMs: this.deps.config.slowConsumerMs,
      auth: this.deps.auth,
      authenticated,
      preAuth,
      subscribeTimeoutMs: authenticated ? undefined : preAuth.timeoutMs,
      onAuthenticated: () => (this.hasAuthenticatedSlot() ? { ok: true } : { ok: false, reason: `at most ${maxDashboards} dashboards` }),
      errorsPerSec: this.deps.config.rateLimit.errorsPerSec,
      onSubscribe: (d) => {
        this.indexWatches();
        d.send(new OutgoingMessage({ type: 'devices', devices: this.deps.feed.devices() }));
        d.send(this.recentStats());
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
    return this.authenticatedCount() < this.deps.config.maxDashboards;
  }

  /** A `stats` message with the server's figures now (each tick makes one). */
  private freshStats(): OutgoingMessage {
    const message: ServerStatsMessage = { type: 'stats', ...this.deps.stats() };
    this.stats = { message: new OutgoingMessage(message), madeAt: performance.now() };
    return this.stats.message;
  }

  /**
   * The latest `stats` message while it is younger than the stats interval. Every subscribe gets
   * one, and the figures sort the latency samples: a client re-subscribing in a loop had them
   * sorted each time (0.7 s of the event loop in 130 s of the fuzz's hostile mix, a CPU profile).
   */
  private recentStats(): OutgoingMessage {
    const latest = this.stats;
    return latest && performance.now() - latest.madeAt < this.deps.config.dashboard.statsIntervalMs ? latest.message : this.freshStats();
  }

  close(): void {
    clearInterval(this.statsTimer);
    for (const s of this.subscriptions) s.unsubscribe();
    this.deps.feed.setWatching(new Set());
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
    this.deps.feed.setWatching(all > 0 ? '*' : ids);
  }

  private tick(): void {
    if (this.dashboards.size === 0) return;
    const stats = this.freshStats();
    let devices: OutgoingMessage | undefined;
    for (const d of this.dashboards) {
      if (!d.subscribed) continue;
      if (d.devicesStale) {
        devices ??= new OutgoingMessage({ type: 'devices', devices: this.deps.feed.devices() });
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
