// Typed failures of the bus, so callers can tell "try another member" (timeout, no responders)
// from "this payload is bad" or "the bus is gone" without reading messages.

export type BusErrorCode = 'timeout' | 'no-responders' | 'remote' | 'payload' | 'invalid-argument' | 'disconnected' | 'overloaded' | 'closed';

export abstract class BusError extends Error {
  abstract readonly code: BusErrorCode;
}

/** A request got no reply within its timeoutMs (a member may be busy or dead: retry elsewhere). */
export class BusTimeoutError extends BusError {
  readonly code = 'timeout';
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
  ) {
    super(`request on ${subject} got no reply within ${timeoutMs} ms`);
    this.name = 'BusTimeoutError';
  }
}

/** Nobody subscribes to the subject of a request (no member is up: retry later). */
export class BusNoRespondersError extends BusError {
  readonly code = 'no-responders';
  constructor(readonly subject: string) {
    super(`no responders on ${subject}`);
    this.name = 'BusNoRespondersError';
  }
}

/** The responder's handler threw (or could not decode the request); its message travels back. */
export class BusRemoteError extends BusError {
  readonly code = 'remote';
  constructor(
    readonly subject: string,
    readonly remoteMessage: string,
  ) {
    super(`responder on ${subject} failed: ${remoteMessage}`);
    this.name = 'BusRemoteError';
  }
}

/** A payload cannot be encoded, or bytes from the wire are not a payload we accept. */
export class BusPayloadError extends BusError {
  readonly code = 'payload';
  constructor(message: string) {
    super(message);
    this.name = 'BusPayloadError';
  }
}

/** A malformed subject, queue name, bucket or key (caught before anything is sent). */
export class BusInvalidArgumentError extends BusError {
  readonly code = 'invalid-argument';
  constructor(message: string) {
    super(message);
    this.name = 'BusInvalidArgumentError';
  }
}

/** A request while the connection to NATS is down: it would only time out, so it fails fast. */
export class BusDisconnectedError extends BusError {
  readonly code = 'disconnected';
  constructor(readonly subject: string) {
    super(`bus disconnected: request on ${subject} not sent`);
    this.name = 'BusDisconnectedError';
  }
}

/** The reconnect buffer is full: the publish is refused (shed the load, e.g. `overloaded`). */
export class BusOverloadedError extends BusError {
  readonly code = 'overloaded';
  constructor(
    readonly subject: string,
    readonly bufferedBytes: number,
    readonly maxBufferedBytes: number,
  ) {
    super(`bus disconnected and its reconnect buffer is full (${bufferedBytes} of ${maxBufferedBytes} bytes): publish on ${subject} refused`);
    this.name = 'BusOverloadedError';
  }
}

/** The bus was closed: no more publishes, subscriptions or requests; pending requests end with this. */
export class BusClosedError extends BusError {
  readonly code = 'closed';
  constructor() {
    super('bus closed');
    this.name = 'BusClosedError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
