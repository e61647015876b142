// Request-body bytes per second per client address (an IPv6 /64 counts as one; behind trusted
// proxies, the client they name), over every route. The server parses JSON bodies on the event
// loop every socket shares: a 1 MiB Sensor Logger push or base64 image took 30-45 ms to decode
// and parse, so one client posting large bodies back to back stalled every phone and typist
// (`npm run bench -- fuzz --attacks http`). A client may send one body of any size its route
// accepts when it owes nothing, and then waits until its bytes are paid for at the budget's rate:
// the body is refused (429 `rate-limited`, Retry-After) before it is read or parsed.
import type { FastifyInstance } from 'fastify';
import { TokenBucket } from '../../lib/token-bucket.js';
import { addressGroup, type ClientAddress } from '../security/client-address.js';
import { sendError } from './error-shape.js';

export interface BodyBudgetOptions {
  /** Body bytes a client address may send per second, on average. */
  bytesPerSec: number;
  /** Most client addresses remembered (default 10,000); beyond it, those owing nothing are forgotten first. */
  maxClients?: number;
  now?: () => number;
}

/** Bytes a client can save up for small bodies: two seconds of the rate. */
const CREDIT_SECONDS = 2;

/** Fastify's body limit for routes that set none. */
const DEFAULT_BODY_LIMIT = 1 << 20;

export class BodyBudget {
  /** Each client's bucket of bytes (in debt after a body larger than its savings). */
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly now: () => number;
  private readonly maxClients: number;

  constructor(private readonly opts: BodyBudgetOptions) {
    if (!(opts.bytesPerSec > 0)) throw new RangeError(`bytesPerSec must be > 0 (got ${opts.bytesPerSec})`);
    this.now = opts.now ?? (() => performance.now());
    this.maxClients = opts.maxClients ?? 10_000;
  }

  /**
   * Charges `bytes` to `client` when it owes nothing; otherwise refuses and says how many
   * seconds until it will not owe anything.
   */
  charge(client: string, bytes: number): { ok: true } | { ok: false; retryAfterSec: number } {
    const bucket = this.bucketOf(client);
    return bucket.spendOnCredit(bytes) ? { ok: true } : { ok: false, retryAfterSec: Math.ceil(bucket.secondsInDebt) };
  }

  /** The rate, for messages. */
  get bytesPerSecText(): string {
    const b = this.opts.bytesPerSec;
    return b >= 1 << 20 && b % (1 << 20) === 0 ? `${b >> 20} MiB/s` : b >= 1024 && b % 1024 === 0 ? `${b >> 10} KiB/s` : `${b} bytes/s`;
  }

  get clients(): number {
    return this.buckets.size;
  }

  private bucketOf(client: string): TokenBucket {
    let bucket = this.buckets.get(client);
    if (!bucket) {
      this.forgetSettled();
      bucket = new TokenBucket(this.opts.bytesPerSec, this.opts.bytesPerSec * CREDIT_SECONDS, this.now);
      this.buckets.set(client, bucket);
    }
    return bucket;
  }

  /** Before a new client is added to a full map: forget those owing nothing (a new bucket is as good), then the oldest. */
  private forgetSettled(): void {
    if (this.buckets.size < this.maxClients) return;
    for (const [client, b] of this.buckets) if (b.secondsInDebt === 0) this.buckets.delete(client);
    for (const client of this.buckets.keys()) {
      if (this.buckets.size < this.maxClients) break;
      this.buckets.delete(client);
    }
  }
}

/** Refuses a request whose body its client cannot afford now, before the body is read. */
export function installBodyBudget(app: FastifyInstance, clientAddress: ClientAddress, budget: BodyBudget): void {
  app.addHook('onRequest', async (req, reply) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const limit = req.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
    // A body over the route's limit is refused with 413 unread: nothing to pay for. A chunked body
    // has no length up front: it is charged the route's limit.
    if (declared > limit) return;
    const bytes = req.headers['transfer-encoding'] !== undefined && !(declared > 0) ? limit : declared;
    if (!(bytes > 0)) return;
    const verdict = budget.charge(addressGroup(clientAddress.of(req.raw)), bytes);
    if (verdict.ok) return;
    // The unread body would have to be drained to reuse the connection: closing it is cheaper.
    reply.header('retry-after', String(verdict.retryAfterSec)).header('connection', 'close');
    return sendError(reply, 429, 'rate-limited', `this client sent more request bodies than ${budget.bytesPerSecText} allows; retry after ${verdict.retryAfterSec} s`);
  });
}
