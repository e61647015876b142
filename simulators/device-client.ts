// A device on the real WebSocket protocol: connects, says hello, waits for the welcome, sends
// sample frames (JSON text or msgpack binary), and hands predictions and errors back. It also
// measures client-side latency: when a prediction arrives for a window ending at device time
// T, the latency is now minus the moment the frame holding sample T was sent.
import WebSocket from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import { decodeFrame, encodeFrame, type Encoding } from '../protocol/codec.js';
import type { ErrorCode, ErrorMessage, HelloMessage, PredictionMessage, SamplesMessage, ServerToDevice, WelcomeMessage } from '../protocol/sensor-messages.js';
import type { CalibrationStatusMessage } from '../protocol/calibration-messages.js';
import { SentFrames } from './sent-frames.js';

export interface SampleBlock {
  t: ArrayLike<number>;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  z: ArrayLike<number>;
  labels?: readonly string[];
}

export interface DeviceClientOptions {
  /** ws://host:port/ws/device */
  url: string;
  hello: Omit<HelloMessage, 'type'>;
  encoding?: Encoding;
  /** `clientLatencyMs` is undefined when the frame holding the window's last sample is unknown. */
  onPrediction?: (prediction: PredictionMessage, clientLatencyMs: number | undefined) => void;
  onError?: (error: ErrorMessage) => void;
  /** Personal calibration answers (protocol/calibration-messages.ts). */
  onCalibrationStatus?: (status: CalibrationStatusMessage) => void;
  onClose?: (code: number, reason: string) => void;
  /** Time allowed for connect + hello + welcome. */
  connectTimeoutMs?: number;
}

export interface DeviceClientStats {
  framesSent: number;
  samplesSent: number;
  bytesSent: number;
  predictions: number;
  errors: Partial<Record<ErrorCode, number>>;
}

/** Frames remembered for latency matching; older ones are forgotten (bounded memory). */
const MAX_TRACKED_FRAMES = 4096;

export class DeviceClient {
  readonly stats: DeviceClientStats = { framesSent: 0, samplesSent: 0, bytesSent: 0, predictions: 0, errors: {} };
  private seq = 0;
  private isClosed = false;
  private closeWaiters: (() => void)[] = [];
  private readonly sent = new SentFrames(MAX_TRACKED_FRAMES);

  private constructor(
    private readonly ws: WebSocket,
    private readonly opts: DeviceClientOptions,
    readonly welcome: WelcomeMessage,
    readonly encoding: Encoding,
  ) {}

  /** Opens the socket, sends hello and resolves with the client once the server welcomes it. */
  static connect(opts: DeviceClientOptions): Promise<DeviceClient> {
    const encoding = opts.encoding ?? 'json';
    const timeoutMs = opts.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(opts.url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      let client: DeviceClient | undefined;
      const fail = (err: Error) => {
        clearTimeout(timer);
        ws.removeAllListeners('message');
        ws.terminate();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`no welcome from ${opts.url} within ${timeoutMs} ms`)), timeoutMs);
      ws.on('error', (err) => {
        if (!client) fail(new Error(`cannot connect to ${opts.url}: ${err.message}`));
      });
      ws.on('open', () => ws.send(encodeFrame({ type: 'hello', ...opts.hello } satisfies HelloMessage, encoding)));
      ws.on('message', (data, isBinary) => {
        const message = decodeServerMessage(data, isBinary);
        if (client) return client.handle(message);
        if (message?.type === 'welcome') {
          clearTimeout(timer);
          client = new DeviceClient(ws, opts, message, encoding);
          resolve(client);
        } else if (message?.type === 'error') {
          fail(new Error(`server refused device ${opts.hello.deviceId}: ${message.code}: ${message.message}`));
        }
      });
      ws.on('close', (code, reason) => {
        if (!client) return fail(new Error(`server closed the connection before welcome (${code} ${reason.toString()})`));
        client.markClosed(code, reason.toString());
      });
    });
  }

  get deviceId(): string {
    return this.opts.hello.deviceId;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Bytes queued in the socket but not yet written (backpressure). */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Sends one samples frame; returns its seq, or -1 when the socket is closed. */
  send(block: SampleBlock): number {
    if (this.isClosed || this.ws.readyState !== WebSocket.OPEN) return -1;
    const n = block.t.length;
    if (n === 0) return -1;
    const message: SamplesMessage = {
      type: 'samples',
      seq: this.seq++,
      t: roundedArray(block.t, 1000),
      x: roundedArray(block.x, 1e5),
      y: roundedArray(block.y, 1e5),
      z: roundedArray(block.z, 1e5),
    };
    if (block.labels) message.labels = [...block.labels];
    const frame = encodeFrame(message, this.encoding);
    this.ws.send(frame);
    this.sent.track(block.t[n - 1]!, performance.now());
    this.stats.framesSent++;
    this.stats.samplesSent += n;
    this.stats.bytesSent += typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength;
    return message.seq;
  }

  /** Sends any other device message (e.g. a calibration command), encoded like the frames. */
  sendMessage(message: object): boolean {
    if (this.isClosed || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(encodeFrame(message, this.encoding));
    return true;
  }

  /** Sends raw bytes or text as they are (protocol tests: malformed frames). */
  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data);
  }

  /** Resolves once the socket is closed (by either side). */
  waitClosed(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.ws.close(CloseCode.normal, 'done');
    const forced = setTimeout(() => this.ws.terminate(), 2000);
    await this.waitClosed();
    clearTimeout(forced);
  }

  private handle(message: ServerToDevice | undefined): void {
    if (!message) return;
    if (message.type === 'prediction') {
      this.stats.predictions++;
      this.opts.onPrediction?.(message, this.sent.latencyFor(message.windowEnd));
    } else if (message.type === 'error') {
      this.stats.errors[message.code] = (this.stats.errors[message.code] ?? 0) + 1;
      this.opts.onError?.(message);
    } else if (message.type === 'calibration-status') {
      this.opts.onCalibrationStatus?.(message);
    }
  }

  private markClosed(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.opts.onClose?.(code, reason);
    for (const w of this.closeWaiters.splice(0)) w();
  }
}

function decodeServerMessage(data: WebSocket.RawData, isBinary: boolean): ServerToDevice | undefined {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  const decoded = decodeFrame(bytes, isBinary);
  if (!decoded.ok || typeof decoded.value !== 'object' || decoded.value === null) return undefined;
  return decoded.value as ServerToDevice;
}

/** Plain arrays with realistic precision, so JSON and msgpack frames are phone-sized. */
function roundedArray(values: ArrayLike<number>, scale: number): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i]! * scale) / scale;
  return out;
}
