// The bus on NATS (core NATS for messages, a JetStream KV for session state). It reconnects
// forever; while NATS is unreachable publishes wait in a bounded buffer (sent in order on
// reconnect; beyond the bound publish throws BusOverloadedError so callers shed load) and
// requests fail fast with BusDisconnectedError (they could only time out).
// Publishes and requests of one turn of the event loop leave in one socket write: the client
// writes once per microtask checkpoint, and a gateway publishes from one socket callback at a
// time (a frame, a timer), so unbatched, thousands of small writes a second cost it more CPU
// than its WebSockets do (measured: 14% of a gateway's busy time in write syscalls).
import { connect, headers, RequestError, TimeoutError, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { Subject, type Observable } from 'rxjs';
import type { Bus, BusHandler, BusOptions, BusKv, BusMessageInfo, BusStatus, BusSubscription, KvOptions, RequestOptions, SubscribeOptions } from './bus.js';
import { BusClosedError, BusDisconnectedError, BusNoRespondersError, BusOverloadedError, BusPayloadError, BusRemoteError, BusTimeoutError, errorMessage } from './bus-errors.js';
import { decodePayload, encodePayload } from './bus-codec.js';
import { NatsKv } from './nats-kv.js';
import { throttledStderrReporter, reportSafely, type BusErrorListener } from './report-error.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, runHandler, settleInFlight, type InFlight, type Replier } from './run-handler.js';
import { checkName, subjectTokens } from './subject.js';

export interface NatsBusOptions extends BusOptions {
  /** The connection's name, shown by the NATS server (e.g. `gateway-host-1234`). */
  name: string;
  /** Bytes of publishes held while disconnected; beyond, publish throws BusOverloadedError. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Pause between reconnect attempts to one server, ms (plus jitter). Default 250. */
  reconnectTimeWaitMs?: number;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Header of a reply that carries a responder's failure instead of a payload. */
const ERROR_HEADER = 'Sensorium-Bus-Error';
const MAX_ERROR_HEADER_LENGTH = 1_000;

/**
 * Connects to NATS (one URL or several of a cluster) and resolves once connected; rejects when
 * no server answers at first (a process manager restarts us). After that it reconnects forever.
 */
export async function connectNatsBus(urls: string | string[], options: NatsBusOptions): Promise<NatsBus> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: urls,
      name: options.name,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
      reconnectJitter: 100,
      // A server gone without closing the socket (a partition) is noticed within ~15 s.
      pingInterval: 5_000,
      maxPingOut: 3,
      // An Error (with its stack) per request costs more than the request; our errors say what failed.
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new Error(`could not connect to NATS at ${[urls].flat().join(', ')}: ${errorMessage(err)}`, { cause: err });
  }
  return new NatsBus(nc, options);
}

interface Buffered {
  subject: string;
  bytes: Uint8Array;
}

export class NatsBus implements Bus {
  readonly kind = 'nats';
  private isConnected = true;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly buffer: Buffered[] = [];
  private bufferedBytes = 0;
  private readonly maxBufferedBytes: number;
  private readonly onError: BusErrorListener;
  private readonly drainTimeoutMs: number;
  private readonly subscriptions = new Set<Subscription>();
  private readonly inFlight: InFlight = new Set();
  private readonly statusSubject = new Subject<BusStatus>();
  private kvm: Kvm | undefined;
  /** Publishes and requests of this turn of the event loop, handed to the client together. */
  private outgoing: { subject: string; write: () => void }[] = [];

  readonly status$: Observable<BusStatus> = this.statusSubject.asObservable();

  constructor(
    private readonly nc: NatsConnection,
    options: NatsBusOptions,
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.onError = options.onError ?? throttledStderrReporter(`bus ${options.name}`);
    this.drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    void this.watchStatus();
    void nc.closed().then(() => {
      this.closed = true;
      this.isConnected = false;
      this.statusSubject.next({ type: 'closed' });
      this.statusSubject.complete();
    });
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** Bytes of publishes waiting for the connection to come back. */
  get buffered(): number {
    return this.bufferedBytes;
  }

  publish(subject: string, payload: unknown): void {
    this.checkOpen();
    subjectTokens(subject, false);
    const bytes = encodePayload(payload);
    this.checkSize(bytes);
    if (!this.isConnected) {
      this.hold(subject, bytes);
      return;
    }
    this.send(() => {
      if (this.isConnected) this.nc.publish(subject, bytes);
      else this.hold(subject, bytes); // disconnected since the call: waits like the others
    }, subject);
  }

  /** Keeps a publish for the reconnect; throws BusOverloadedError beyond the buffer's bound. */
  private hold(subject: string, bytes: Uint8Array): void {
    if (this.bufferedBytes + bytes.length > this.maxBufferedBytes) {
      throw new BusOverloadedError(subject, this.bufferedBytes, this.maxBufferedBytes);
    }
    this.buffer.push({ subject, bytes });
    this.bufferedBytes += bytes.length;
  }

  /** Queues a write for the end of this turn of the event loop (a failure then goes to onError). */
  private send(write: () => void, subject: string): void {
    // The first write of a turn schedules the flush; later ones join it.
    if (this.outgoing.push({ subject, write }) === 1) setImmediate(() => this.flushOutgoing());
  }

  private flushOutgoing(): void {
    const writes = this.outgoing;
    this.outgoing = [];
    for (const { subject, write } of writes) {
      try {
        write();
      } catch (err) {
        reportSafely(this.onError, err as Error, subject);
      }
    }
  }

  subscribe(subject: string, handler: BusHandler, options: SubscribeOptions = {}): BusSubscription {
    this.checkOpen();
    subjectTokens(subject, true);
    if (options.queue !== undefined) checkName('queue group', options.queue);
    const onError = options.onError ?? this.onError;
    let active = true;
    const sub = this.nc.subscribe(subject, {
      queue: options.queue,
      callback: (err, msg) => {
        if (!active) return;
        if (err) {
          reportSafely(onError, err, subject);
          return;
        }
        this.receive(msg, handler, onError);
      },
    });
    this.subscriptions.add(sub);
    return {
      unsubscribe: () => {
        if (!active) return;
        active = false;
        this.subscriptions.delete(sub);
        if (!sub.isClosed()) sub.unsubscribe();
      },
      drain: async () => {
        // The client unsubscribes, then keeps delivering until the server confirms (a PING/PONG).
        if (active && !sub.isClosed() && !this.nc.isClosed()) await sub.drain().catch(() => undefined);
        active = false;
        this.subscriptions.delete(sub);
      },
    };
  }

  async request(subject: string, payload: unknown, options: RequestOptions): Promise<unknown> {
    this.checkOpen();
    subjectTokens(subject, false);
    const bytes = encodePayload(payload);
    this.checkSize(bytes);
    if (!this.isConnected) throw new BusDisconnectedError(subject);
    let reply: Msg;
    try {
      reply = await new Promise<Msg>((resolve, reject) =>
        this.send(() => {
          if (!this.isConnected) return reject(new BusDisconnectedError(subject)); // since the call: fail fast as above
          try {
            this.nc.request(subject, bytes, { timeout: options.timeoutMs }).then(resolve, reject);
          } catch (err) {
            reject(err as Error); // closed or disconnected since the call
          }
        }, subject),
      );
    } catch (err) {
      throw this.requestError(err, subject, options.timeoutMs);
    }
    const remoteError = reply.headers?.get(ERROR_HEADER);
    if (remoteError) throw new BusRemoteError(subject, remoteError);
    return decodePayload(reply.data);
  }

  async kv(bucket: string, options: KvOptions = {}): Promise<BusKv> {
    this.checkOpen();
    checkName('bucket', bucket);
    this.kvm ??= new Kvm(this.nc);
    // history 1: only the last value matters; ttl (ms) is the stream's max age.
    const kv = await this.kvm.create(bucket, { history: 1, ...(options.ttlMs !== undefined ? { ttl: options.ttlMs } : {}) });
    return new NatsKv(kv);
  }

  close(): Promise<void> {
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  private async drainAndClose(): Promise<void> {
    this.flushOutgoing();
    if (this.nc.isClosed()) return;
    // Stop taking messages, let running handlers send their replies, then flush and close.
    await Promise.allSettled([...this.subscriptions].map((sub) => sub.drain()));
    await settleInFlight(this.inFlight, this.drainTimeoutMs);
    this.closed = true;
    if (this.isConnected) {
      await this.nc.drain().catch(() => this.nc.close());
    } else {
      // Nothing can be flushed to a server that is gone; do not wait for it to come back.
      await this.nc.close();
    }
    await this.nc.closed();
  }

  private receive(msg: Msg, handler: BusHandler, onError: BusErrorListener): void {
    const info: BusMessageInfo = { subject: msg.subject, isRequest: Boolean(msg.reply) };
    const replier: Replier | undefined = msg.reply
      ? {
          reply: (value) => {
            msg.respond(encodePayload(value));
          },
          fail: (message) => {
            const h = headers();
            h.set(ERROR_HEADER, message.replace(/[\r\n]+/g, ' ').slice(0, MAX_ERROR_HEADER_LENGTH) || 'error');
            msg.respond(undefined, { headers: h });
          },
        }
      : undefined;
    let payload: unknown;
    try {
      payload = decodePayload(msg.data);
    } catch (err) {
      // Hostile or broken bytes: the subscription's onError hears of it, a requester gets an error.
      reportSafely(onError, err as Error, msg.subject);
      try {
        replier?.fail(errorMessage(err));
      } catch {
        // the connection is going away; nothing to tell
      }
      return;
    }
    runHandler(handler, payload, info, onError, this.inFlight, replier);
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        if (!this.isConnected) continue;
        this.isConnected = false;
        this.statusSubject.next({ type: 'disconnected', server: status.server });
      } else if (status.type === 'reconnect') {
        // Subscriptions are live again on the server: send what waited, in order, then go on.
        this.isConnected = true;
        this.flushBuffer();
        this.statusSubject.next({ type: 'reconnected', server: status.server });
      }
    }
  }

  private flushBuffer(): void {
    const waiting = this.buffer.splice(0);
    this.bufferedBytes = 0;
    for (const { subject, bytes } of waiting) {
      try {
        this.nc.publish(subject, bytes);
      } catch (err) {
        reportSafely(this.onError, err as Error, subject);
      }
    }
  }

  private requestError(err: unknown, subject: string, timeoutMs: number): Error {
    if (err instanceof TimeoutError) return new BusTimeoutError(subject, timeoutMs);
    if (err instanceof RequestError && err.isNoResponders()) return new BusNoRespondersError(subject);
    if (this.closed || this.nc.isClosed()) return new BusClosedError();
    if (!this.isConnected) return new BusDisconnectedError(subject);
    return err instanceof Error ? err : new Error(String(err));
  }

  private checkSize(bytes: Uint8Array): void {
    const max = this.nc.info?.max_payload;
    if (max !== undefined && bytes.length > max) {
      throw new BusPayloadError(`payload of ${bytes.length} bytes is over the NATS server's max_payload (${max})`);
    }
  }

  private checkOpen(): void {
    if (this.closed || this.nc.isClosed() || this.nc.isDraining()) throw new BusClosedError();
  }
}
