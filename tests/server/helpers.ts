// A real server on loopback and real `ws` clients, for the server tests.
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type Encoding } from '../../protocol/codec.js';
import { buildServer, type BuildOptions, type SensoriumServer } from '../../server/app.js';
import { makeConfig, type ConfigOverrides } from '../../server/config.js';

export interface TestServer {
  server: SensoriumServer;
  url: string;
  wsUrl: (path: string) => string;
  close: () => Promise<void>;
}

/** Starts a server on 127.0.0.1, any free port, with an untrained model on the WASM backend. */
export async function startTestServer(overrides: ConfigOverrides = {}, opts: BuildOptions = {}): Promise<TestServer> {
  const config = makeConfig({ port: 0, host: '127.0.0.1', backend: 'wasm', harModel: 'untrained', demo: false, ...overrides });
  const server = await buildServer(config, { log: () => {}, ...opts });
  const url = await server.listen();
  return { server, url, wsUrl: (path) => url.replace(/^http/, 'ws') + path, close: () => server.close() };
}

type Message = Record<string, unknown> & { type: string };

/** A WebSocket client that decodes every message and lets tests wait for some. */
export class TestClient {
  readonly messages: Message[] = [];
  closeCode: number | undefined;
  closeReason = '';
  private waiters: (() => void)[] = [];
  readonly closed: Promise<number>;

  static async connect(url: string, encoding: Encoding = 'json', headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers });
    const client = new TestClient(ws, encoding);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  private constructor(
    readonly ws: WebSocket,
    readonly encoding: Encoding,
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      const decoded = decodeFrame(isBinary ? new Uint8Array(data) : data.toString('utf8'), isBinary);
      if (!decoded.ok) throw new Error(decoded.error);
      this.messages.push(decoded.value as Message);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.wake();
        resolve(code);
      }),
    );
    ws.on('error', () => {});
  }

  send(message: unknown): void {
    this.ws.send(encodeFrame(message, this.encoding));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  of(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }

  /** Waits until `predicate` holds over the messages received so far. */
  async until(predicate: (messages: Message[]) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => m.type))}`);
      if (this.closeCode !== undefined && !predicate(this.messages)) throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) while waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async count(type: string, n: number, timeoutMs?: number): Promise<Message[]> {
    await this.until((ms) => ms.filter((m) => m.type === type).length >= n, timeoutMs, `${n} ${type} messages`);
    return this.of(type);
  }

  close(): Promise<number> {
    if (this.closeCode === undefined) this.ws.close();
    return this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * A labelled recording at `rateHz`: `segments` of [activity, seconds]; walking-like
 * activities oscillate, postures hold a gravity direction. Values in g.
 */
export function labelledRecording(segments: [string, number][], rateHz = 50, startMs = 1_000_000) {
  const t: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const z: number[] = [];
  const labels: string[] = [];
  let i = 0;
  for (const [label, seconds] of segments) {
    const moving = label === 'walking' || label === 'upstairs' || label === 'downstairs';
    for (let k = 0; k < Math.round(seconds * rateHz); k++, i++) {
      const s = i / rateHz;
      t.push(startMs + (i * 1000) / rateHz);
      x.push(moving ? 0.3 * Math.sin(2 * Math.PI * 1.8 * s) : 0.02);
      y.push(moving ? 0.9 + 0.4 * Math.sin(2 * Math.PI * 1.8 * s + 1) : label === 'lying' ? 0.05 : 0.98);
      z.push(moving ? 0.2 * Math.cos(2 * Math.PI * 0.9 * s) : label === 'lying' ? 0.99 : 0.1);
      labels.push(label);
    }
  }
  return { t, x, y, z, labels };
}

/** Cuts a recording into samples frames of `perFrame` samples. */
export function toFrames(rec: ReturnType<typeof labelledRecording>, perFrame: number, withLabels = true) {
  const frames: Record<string, unknown>[] = [];
  for (let from = 0, seq = 0; from < rec.t.length; from += perFrame, seq++) {
    const to = Math.min(rec.t.length, from + perFrame);
    const frame: Record<string, unknown> = { type: 'samples', seq, t: rec.t.slice(from, to), x: rec.x.slice(from, to), y: rec.y.slice(from, to), z: rec.z.slice(from, to) };
    if (withLabels) frame.labels = rec.labels.slice(from, to);
    frames.push(frame);
  }
  return frames;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a WebSocket with these headers: 'open' when it is still open after `waitMs`, else its close code. */
export function socketOutcome(url: string, headers: Record<string, string> = {}, waitMs = 200): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => setTimeout(() => (ws.readyState === WebSocket.OPEN ? (ws.close(), resolve('open')) : undefined), waitMs));
    ws.on('close', (code) => resolve(code));
    ws.on('error', () => {});
  });
}
