// The dashboards of `npm run bench -- cluster`: each watches a set of devices over /ws/dashboard
// (real WebSocket clients, JSON), typically those streaming to ANOTHER gateway, and notes which
// devices' predictions reached it. A subscribe names at most SUBSCRIBE_MAX ids, so large sets are
// split over several dashboards.
import WebSocket from 'ws';

/** Ids one subscribe may list (server/dashboards/dashboard-connection.ts). */
const SUBSCRIBE_MAX = 1000;

export class RemoteDashboards {
  /** Predictions seen per device id. */
  private readonly seen = new Map<string, number>();
  private readonly sockets: WebSocket[] = [];
  private messages = 0;
  /** Close codes of dashboards the server closed during the run. */
  private readonly closes: number[] = [];
  private closing = false;

  /** Opens dashboards on `dashboardUrl` watching `deviceIds`; resolves once each has subscribed. */
  async watch(dashboardUrl: string, deviceIds: readonly string[]): Promise<void> {
    for (let i = 0; i < deviceIds.length; i += SUBSCRIBE_MAX) {
      const ids = deviceIds.slice(i, i + SUBSCRIBE_MAX);
      const ws = new WebSocket(dashboardUrl, { perMessageDeflate: false });
      this.sockets.push(ws);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => {
          ws.send(JSON.stringify({ type: 'subscribe', devices: ids }));
          resolve();
        });
        ws.once('error', reject);
      });
      ws.on('error', () => {}); // a dashboard cut later shows as missing coverage, not a crash
      ws.on('close', (code) => this.closing || this.closes.push(code));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        this.messages++;
        const text = data.toString();
        // Most messages are signal batches: parse only predictions.
        if (!text.includes('"prediction"')) return;
        let m: { type?: string; deviceId?: string };
        try {
          m = JSON.parse(text);
        } catch {
          return;
        }
        if (m.type === 'prediction' && typeof m.deviceId === 'string') this.seen.set(m.deviceId, (this.seen.get(m.deviceId) ?? 0) + 1);
      });
    }
  }

  /** Share of `deviceIds` with at least one prediction seen, and the predictions seen in all. */
  coverage(deviceIds: readonly string[]): { share: number; predictions: number; messages: number; closedByServer: number[] } {
    let covered = 0;
    let predictions = 0;
    for (const id of deviceIds) {
      const n = this.seen.get(id) ?? 0;
      if (n > 0) covered++;
      predictions += n;
    }
    return { share: deviceIds.length ? covered / deviceIds.length : 0, predictions, messages: this.messages, closedByServer: [...this.closes] };
  }

  close(): void {
    this.closing = true;
    for (const ws of this.sockets) ws.terminate();
  }
}
