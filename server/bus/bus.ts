// The bus the parts of the server talk through (ingest -> inference -> fan-out), with two
// implementations: in-process (server/bus/memory-bus.ts, the single-process default) and NATS
// (server/bus/nats-bus.ts, for gateways and inference workers on several machines).
// Subjects, payload shapes and queue groups are defined once, in protocol/bus-subjects.ts.
//
// Semantics shared by both implementations (tests/bus/bus-contract.ts checks them on both):
// - Delivery is at most once. Handlers run asynchronously, never inside publish(); messages from
//   one publisher reach one subscription in publish order. Async handlers may overlap.
// - Payloads are plain data: null, booleans, numbers, strings, arrays, plain objects and typed
//   arrays (Float32Array, Float64Array, Int32Array, Uint8Array...). NATS encodes them with
//   msgpack (typed arrays keep their type); the in-process bus passes the very same reference
//   (zero copy). So a payload is IMMUTABLE once published: neither the publisher nor any handler
//   may change it (or the arrays in it) afterwards — another handler may be reading it.
// - Bytes from the wire are untrusted: a payload that cannot be decoded, nests too deep, holds
//   too many values or holds anything but plain data (BigInt, Map, Date...) never reaches the
//   handler; it goes to the subscription's onError (or the bus's), and a request gets a
//   BusRemoteError. Handlers must still validate the shape of what they receive.
// - Errors are typed (server/bus/bus-errors.ts).
import type { Observable } from 'rxjs';

export * from './bus-errors.js';

/**
 * A subscription's handler. `payload` is the message (see the payload rules above).
 * When the message is a request, a returned value (or the value of a returned promise) is the
 * reply; `undefined` means "no reply from me" (reply `null` to answer with nothing). A handler
 * that throws or rejects while serving a request sends the requester a BusRemoteError; otherwise
 * its error goes to onError. A handler's error never reaches the publisher or other handlers.
 */
export type BusHandler = (payload: unknown, message: BusMessageInfo) => unknown;

export interface BusMessageInfo {
  /** The concrete subject the message was published on (useful with wildcard subscriptions). */
  subject: string;
  /** True when the sender waits for a reply (bus.request). */
  isRequest: boolean;
}

export interface SubscribeOptions {
  /**
   * Queue group: each message goes to exactly one member of the group (spreading the load),
   * and still to every plain (queue-less) subscriber of the subject.
   */
  queue?: string;
  /** Receives payloads that could not be decoded and handler errors; defaults to the bus's onError. */
  onError?: (err: Error, subject: string) => void;
}

export interface BusSubscription {
  /**
   * Stops delivery at once: after this returns the handler is never called again. On NATS a
   * message the server routed here just before it heard of the unsubscribe is dropped (a request
   * then times out); a queue member that leaves gracefully uses drain() instead. Idempotent.
   */
  unsubscribe(): void;
  /**
   * Leaves gracefully: takes no new messages, but still handles those already routed to this
   * subscription; resolves once none can arrive any more (then it is unsubscribed). Idempotent.
   */
  drain(): Promise<void>;
}

export interface RequestOptions {
  /** Reject with BusTimeoutError when no reply arrives within this many milliseconds. */
  timeoutMs: number;
}

export interface KvOptions {
  /** Entries expire this long after their last put (NATS: the bucket's max age). Default: never. */
  ttlMs?: number;
}

/**
 * A key-value bucket (session state for resume on another gateway). Keys: letters, digits and
 * `-_=/.` (no leading or trailing dot), as NATS KV allows. Values follow the payload rules;
 * the in-process bus stores the reference, so a stored value is immutable too.
 */
export interface BusKv {
  /** The value stored under key, or undefined when absent, deleted or expired. */
  get(key: string): Promise<unknown>;
  /** Stores value under key (replacing any earlier value) and restarts its TTL. */
  put(key: string, value: unknown): Promise<void>;
  /** Removes key; deleting an absent key is fine. */
  delete(key: string): Promise<void>;
  /** Every live key, in no particular order. */
  keys(): Promise<string[]>;
}

/** Options every bus implementation takes when it is created. */
export interface BusOptions {
  /** Errors of handlers and of subscriptions without their own onError (default: stderr, at most a line a second). */
  onError?: (err: Error, subject: string) => void;
  /** close() waits at most this long for running handlers. Default 5,000 ms. */
  drainTimeoutMs?: number;
}

export type BusStatus = { type: 'disconnected'; server?: string } | { type: 'reconnected'; server?: string } | { type: 'closed' };

export interface Bus {
  /** 'memory' (in-process) or 'nats'. */
  readonly kind: 'memory' | 'nats';
  /** False while the connection to NATS is down (the in-process bus is always connected until closed). */
  readonly connected: boolean;
  /**
   * Connection changes: disconnected (NATS is unreachable; publishes are buffered up to a bound),
   * reconnected (subscriptions are live again), closed (after close(); the observable completes).
   * It does not replay: read `connected` for the current state.
   */
  readonly status$: Observable<BusStatus>;

  /**
   * Sends payload to every plain subscriber of subject and to one member of each queue group.
   * Fire and forget: returns at once. `subject` is literal (tokens separated by dots, no
   * wildcards). Throws BusInvalidArgumentError (subject), BusPayloadError (NATS: payload not
   * encodable or over the server's max payload), BusOverloadedError (NATS: disconnected and the
   * reconnect buffer is full) or BusClosedError.
   */
  publish(subject: string, payload: unknown): void;

  /**
   * Calls handler for each message on subject. Wildcards: `*` matches exactly one token,
   * `>` (last token only) matches one or more tokens. See SubscribeOptions for queue groups.
   */
  subscribe(subject: string, handler: BusHandler, options?: SubscribeOptions): BusSubscription;

  /**
   * Publishes payload as a request and resolves with the first reply (one member of a queue
   * group answers). Rejects with BusNoRespondersError (nobody subscribes), BusTimeoutError (no
   * reply in time), BusRemoteError (the responder failed), BusDisconnectedError (NATS down: fails
   * fast), BusPayloadError or BusClosedError. Timeout and no-responders mean: retry, perhaps on
   * another member.
   */
  request(subject: string, payload: unknown, options: RequestOptions): Promise<unknown>;

  /**
   * Opens (creating if needed) a key-value bucket. Names: letters, digits, `-` and `_`.
   * Opening the same bucket twice gives the same data; the first opening's ttlMs wins.
   */
  kv(bucket: string, options?: KvOptions): Promise<BusKv>;

  /**
   * Drains and closes: stops every subscription, waits for handlers already running (so their
   * replies are sent; at most the bus's drainTimeoutMs, default 5 s, so a stuck handler cannot
   * hold a shutdown), flushes buffered publishes, then closes. Pending requests reject with
   * BusClosedError. Later calls to publish/subscribe/request/kv throw BusClosedError. Idempotent.
   */
  close(): Promise<void>;
}
