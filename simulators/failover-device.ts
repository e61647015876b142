// One simulated device that outlives its gateway: a DeviceClient per connection, opened through a
// ServerRotation over the device URLs (protocol/server-rotation.ts). When a connection drops, or
// a connect fails, it tries the NEXT URL after the rotation's delay, with the same hello plus
// `lastWindowEnd` (the windowEnd of the last prediction it saw), so a server that keeps sessions
// (KV across gateways) resumes it and re-sends what was missed. Seq numbers start again at 0 on
// every connection (DeviceClient). Frames produced while disconnected wait in a bounded queue
// (the oldest are dropped beyond it) and go out, in order, as soon as the next welcome arrives.
//
// With reconnect off (the default for a single URL) it behaves as a bare DeviceClient: one
// connect attempt, and a dropped connection ends the device.
import { CliError } from '../cli/args.js';
import type { WelcomeMessage } from '../protocol/sensor-messages.js';
import { parseServerList, ServerRotation, type RotationOptions } from '../protocol/server-rotation.js';
import { DeviceClient, type DeviceClientOptions, type DeviceClientStats, type SampleBlock } from './device-client.js';

export interface FailoverDeviceOptions extends Omit<DeviceClientOptions, 'url' | 'onClose'> {
  /** Device endpoints (ws://host:port/ws/device), tried round-robin. */
  urls: readonly string[];
  /** Reconnect after a drop (default: only when more than one URL is given). */
  reconnect?: boolean;
  rotation?: RotationOptions;
  /** Frames kept while disconnected (default 100: 10 s at 10 frames/s). */
  maxBufferedFrames?: number;
  /** The device ended for good: closed by us, or dropped with reconnect off. */
  onClose?: (code: number, reason: string) => void;
  /** A connection dropped; a reconnect follows. */
  onDrop?: (url: string, code: number, reason: string) => void;
  /** A connection after the first was welcomed (on `url`). */
  onReconnect?: (url: string, welcome: WelcomeMessage) => void;
}

export interface FailoverStats extends DeviceClientStats {
  /** Connections welcomed after the first. */
  reconnects: number;
  /** Of those, the ones whose welcome said `resumed`. */
  resumed: number;
  /** Connect attempts that failed (refused, no welcome, error before welcome). */
  connectFailures: number;
  /** Frames produced while disconnected and sent after a reconnect. */
  framesResent: number;
  /** Frames produced while disconnected and dropped because the queue was full. */
  framesDropped: number;
}

const DEFAULT_MAX_BUFFERED_FRAMES = 100;

/** The simulators' `--url` value (`a,b` or repeated): ws:// or wss:// URLs, else a CliError. */
export function parseDeviceUrls(value: string): string[] {
  try {
    return parseServerList(value, ['ws:', 'wss:'], '--url');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

export class FailoverDevice {
  private client: DeviceClient | undefined;
  /** Counters of the connections that have ended. */
  private readonly past: DeviceClientStats = emptyStats();
  private readonly counts = { reconnects: 0, resumed: 0, connectFailures: 0, framesResent: 0, framesDropped: 0 };
  private readonly queue: SampleBlock[] = [];
  private readonly rotation: ServerRotation;
  private readonly reconnect: boolean;
  private lastWindowEnd: number | undefined;
  private latestWelcome: WelcomeMessage | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopping = false;
  private isClosed = false;
  private closeWaiters: (() => void)[] = [];
  /** Last reason a connect failed (reports). */
  lastConnectError: string | undefined;

  private constructor(private readonly opts: FailoverDeviceOptions) {
    this.rotation = new ServerRotation(opts.urls, opts.rotation);
    this.reconnect = opts.reconnect ?? opts.urls.length > 1;
  }

  /**
   * Connects to the rotation's first URL; with reconnect on, a failure moves on through the list
   * (one round, with its delays) before giving up with the last error.
   */
  static async connect(opts: FailoverDeviceOptions): Promise<FailoverDevice> {
    const device = new FailoverDevice(opts);
    const attempts = device.reconnect ? opts.urls.length : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        device.attach(await device.open());
        return device;
      } catch (err) {
        device.counts.connectFailures++;
        device.lastConnectError = err instanceof Error ? err.message : String(err);
        if (attempt >= attempts) throw err;
        await new Promise((resolve) => setTimeout(resolve, device.rotation.failed()));
      }
    }
  }

  get deviceId(): string {
    return this.opts.hello.deviceId;
  }

  /** The welcome of the current (or last) connection. */
  get welcome(): WelcomeMessage {
    return this.latestWelcome!; // set before connect() resolves
  }

  /** Ended for good (closed, or dropped with reconnect off). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Welcomed on a connection that is up now. */
  get connected(): boolean {
    return this.client !== undefined && !this.client.closed;
  }

  /** The URL the device is connected to, or undefined while it is reconnecting. */
  get url(): string | undefined {
    return this.connected ? this.rotation.url : undefined;
  }

  /** Frames waiting for the next connection. */
  get queuedFrames(): number {
    return this.queue.length;
  }

  get bufferedAmount(): number {
    return this.client?.bufferedAmount ?? 0;
  }

  /** Counters over every connection of this device. */
  get stats(): FailoverStats {
    const total = addStats(emptyStats(), this.past);
    if (this.client) addStats(total, this.client.stats);
    return { ...total, ...this.counts };
  }

  /**
   * Sends a frame now, or queues it while reconnecting. Returns its seq when sent, else -1
   * (queued, or the device is closed).
   */
  send(block: SampleBlock): number {
    if (this.isClosed) return -1;
    if (!this.connected) {
      this.enqueue(block);
      return -1;
    }
    return this.client!.send(block);
  }

  sendMessage(message: object): boolean {
    return this.connected && this.client!.sendMessage(message);
  }

  waitClosed(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Stops reconnecting and closes the connection. */
  async close(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    if (client && !client.closed) await client.close(); // its onClose ends the device
    this.end(1000, 'done');
  }

  /** One connection to the rotation's current URL: the hello says which prediction was seen last. */
  private open(): Promise<DeviceClient> {
    const { urls: _u, reconnect: _r, rotation: _ro, maxBufferedFrames: _m, onDrop: _d, onReconnect: _re, onClose: _c, ...rest } = this.opts;
    const hello = this.lastWindowEnd === undefined ? this.opts.hello : { ...this.opts.hello, lastWindowEnd: this.lastWindowEnd };
    let client: DeviceClient | undefined;
    const opening = DeviceClient.connect({
      ...rest,
      url: this.rotation.url,
      hello,
      onPrediction: (p, clientMs) => {
        // A resumed session re-sends what the old connection may have lost: skip what we saw.
        if (this.lastWindowEnd !== undefined && !(p.windowEnd > this.lastWindowEnd)) return;
        this.lastWindowEnd = p.windowEnd;
        this.opts.onPrediction?.(p, clientMs);
      },
      onClose: (code, reason) => {
        if (client) this.dropped(client, code, reason);
      },
    });
    return opening.then((c) => (client = c));
  }

  private attach(client: DeviceClient): void {
    this.client = client;
    this.latestWelcome = client.welcome;
    this.rotation.succeeded();
  }

  private enqueue(block: SampleBlock): void {
    this.queue.push(block);
    if (this.queue.length > (this.opts.maxBufferedFrames ?? DEFAULT_MAX_BUFFERED_FRAMES)) {
      this.queue.shift();
      this.counts.framesDropped++;
    }
  }

  private dropped(client: DeviceClient, code: number, reason: string): void {
    if (client !== this.client) return;
    addStats(this.past, client.stats);
    this.client = undefined;
    if (this.stopping || !this.reconnect) return this.end(code, reason);
    this.opts.onDrop?.(this.rotation.url, code, reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.retryTimer = setTimeout(() => void this.reconnectNow(), this.rotation.failed());
  }

  private async reconnectNow(): Promise<void> {
    if (this.stopping) return;
    const url = this.rotation.url;
    let client: DeviceClient;
    try {
      client = await this.open();
    } catch (err) {
      this.counts.connectFailures++;
      this.lastConnectError = err instanceof Error ? err.message : String(err);
      if (!this.stopping) this.scheduleReconnect();
      return;
    }
    if (this.stopping) return void (await client.close());
    this.attach(client);
    this.counts.reconnects++;
    if (client.welcome.resumed) this.counts.resumed++;
    else this.lastWindowEnd = undefined; // a new session: its windows are not the old one's
    while (this.queue.length > 0 && !client.closed) {
      client.send(this.queue.shift()!);
      this.counts.framesResent++;
    }
    this.opts.onReconnect?.(url, client.welcome);
  }

  private end(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.opts.onClose?.(code, reason);
    for (const w of this.closeWaiters.splice(0)) w();
  }
}

function emptyStats(): DeviceClientStats {
  return { framesSent: 0, samplesSent: 0, bytesSent: 0, predictions: 0, errors: {} };
}

/** Adds `from`'s counters into `into` (returned). */
function addStats(into: DeviceClientStats, from: DeviceClientStats): DeviceClientStats {
  into.framesSent += from.framesSent;
  into.samplesSent += from.samplesSent;
  into.bytesSent += from.bytesSent;
  into.predictions += from.predictions;
  for (const [code, n] of Object.entries(from.errors) as [keyof DeviceClientStats['errors'], number][]) into.errors[code] = (into.errors[code] ?? 0) + n;
  return into;
}
