// The in-process bus: the single-process default. Payloads are passed by reference (zero copy,
// nothing encoded), handlers run in a microtask after publish, and the subscribers of a subject
// are looked up once and cached until the subscriptions change, so a publish costs a map lookup
// and a microtask.
import { Subject, type Observable } from 'rxjs';
import type { Bus, BusHandler, BusOptions, BusKv, BusMessageInfo, BusStatus, BusSubscription, KvOptions, RequestOptions, SubscribeOptions } from './bus.js';
import { BusClosedError, BusNoRespondersError, BusRemoteError, BusTimeoutError } from './bus-errors.js';
import { MemoryKv } from './memory-kv.js';
import { throttledStderrReporter, type BusErrorListener } from './report-error.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, runHandler, settleInFlight, type InFlight, type Replier } from './run-handler.js';
import { checkName, hasWildcard, subjectMatches, subjectTokens } from './subject.js';

export type MemoryBusOptions = BusOptions;

interface MemorySubscription {
  tokens: string[];
  /** The subject as given: literal subscriptions are indexed by it. */
  subject: string;
  queue: string | undefined;
  handler: BusHandler;
  onError: BusErrorListener;
  active: boolean;
}

/** Who receives a message on one literal subject: every plain subscriber, one member per group. */
interface Route {
  plain: MemorySubscription[];
  groups: { members: MemorySubscription[]; next: number }[];
}

// Routes of this many distinct subjects at most are cached (device ids are in subjects).
const MAX_CACHED_ROUTES = 20_000;

export class MemoryBus implements Bus {
  readonly kind = 'memory';
  private readonly literal = new Map<string, Set<MemorySubscription>>();
  private readonly wildcard = new Set<MemorySubscription>();
  private readonly routes = new Map<string, Route>();
  private readonly buckets = new Map<string, MemoryKv>();
  private readonly pendingRequests = new Set<(err: Error) => void>();
  private readonly inFlight: InFlight = new Set();
  private readonly statusSubject = new Subject<BusStatus>();
  private readonly onError: BusErrorListener;
  private readonly drainTimeoutMs: number;
  private closed = false;
  private closing: Promise<void> | undefined;

  readonly status$: Observable<BusStatus> = this.statusSubject.asObservable();

  constructor(options: MemoryBusOptions = {}) {
    this.onError = options.onError ?? throttledStderrReporter('bus');
    this.drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  }

  get connected(): boolean {
    return !this.closed;
  }

  publish(subject: string, payload: unknown): void {
    this.checkOpen();
    const route = this.route(subject);
    if (route.plain.length === 0 && route.groups.length === 0) return;
    const info: BusMessageInfo = { subject, isRequest: false };
    queueMicrotask(() => this.deliver(route, payload, info, undefined));
  }

  subscribe(subject: string, handler: BusHandler, options: SubscribeOptions = {}): BusSubscription {
    this.checkOpen();
    const tokens = subjectTokens(subject, true);
    if (options.queue !== undefined) checkName('queue group', options.queue);
    const sub: MemorySubscription = {
      tokens,
      subject,
      queue: options.queue,
      handler,
      onError: options.onError ?? this.onError,
      active: true,
    };
    if (hasWildcard(tokens)) this.wildcard.add(sub);
    else {
      let set = this.literal.get(subject);
      if (!set) this.literal.set(subject, (set = new Set()));
      set.add(sub);
    }
    this.routes.clear();
    return {
      unsubscribe: () => {
        sub.active = false;
        this.remove(sub);
      },
      drain: async () => {
        // New publishes no longer route here; deliveries already queued (microtasks) still run.
        this.remove(sub);
        await new Promise<void>((resolve) => setImmediate(resolve));
        sub.active = false;
      },
    };
  }

  request(subject: string, payload: unknown, options: RequestOptions): Promise<unknown> {
    if (this.closed) return Promise.reject(new BusClosedError());
    let route: Route;
    try {
      route = this.route(subject);
    } catch (err) {
      return Promise.reject(err);
    }
    if (route.plain.length === 0 && route.groups.length === 0) return Promise.reject(new BusNoRespondersError(subject));
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        this.pendingRequests.delete(abort);
        return true;
      };
      const abort = (err: Error): void => {
        if (settle()) reject(err);
      };
      const timer = setTimeout(() => abort(new BusTimeoutError(subject, options.timeoutMs)), options.timeoutMs);
      this.pendingRequests.add(abort);
      // The first answer wins, as on NATS; later ones are dropped.
      const replier: Replier = {
        reply: (value) => {
          if (settle()) resolve(value);
        },
        fail: (message) => abort(new BusRemoteError(subject, message)),
      };
      const info: BusMessageInfo = { subject, isRequest: true };
      queueMicrotask(() => this.deliver(route, payload, info, replier));
    });
  }

  async kv(bucket: string, options: KvOptions = {}): Promise<BusKv> {
    this.checkOpen();
    checkName('bucket', bucket);
    let kv = this.buckets.get(bucket);
    if (!kv) this.buckets.set(bucket, (kv = new MemoryKv(options.ttlMs)));
    return kv;
  }

  close(): Promise<void> {
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  private async drainAndClose(): Promise<void> {
    this.closed = true;
    for (const set of this.literal.values()) for (const sub of set) sub.active = false;
    for (const sub of this.wildcard) sub.active = false;
    this.literal.clear();
    this.wildcard.clear();
    this.routes.clear();
    // Messages already queued reach no one now; handlers already running may still reply.
    await settleInFlight(this.inFlight, this.drainTimeoutMs);
    for (const abort of [...this.pendingRequests]) abort(new BusClosedError());
    this.statusSubject.next({ type: 'closed' });
    this.statusSubject.complete();
  }

  private deliver(route: Route, payload: unknown, info: BusMessageInfo, replier: Replier | undefined): void {
    for (const sub of route.plain) {
      if (sub.active) runHandler(sub.handler, payload, info, sub.onError, this.inFlight, replier);
    }
    for (const group of route.groups) {
      const member = pickMember(group);
      if (member) runHandler(member.handler, payload, info, member.onError, this.inFlight, replier);
    }
  }

  private route(subject: string): Route {
    const cached = this.routes.get(subject);
    if (cached) return cached;
    const tokens = subjectTokens(subject, false);
    const matching = [...(this.literal.get(subject) ?? [])];
    for (const sub of this.wildcard) if (subjectMatches(sub.tokens, tokens)) matching.push(sub);
    const route: Route = { plain: [], groups: [] };
    const groups = new Map<string, MemorySubscription[]>();
    for (const sub of matching) {
      if (sub.queue === undefined) route.plain.push(sub);
      else {
        let members = groups.get(sub.queue);
        if (!members) groups.set(sub.queue, (members = []));
        members.push(sub);
      }
    }
    for (const members of groups.values()) route.groups.push({ members, next: 0 });
    if (this.routes.size >= MAX_CACHED_ROUTES) this.routes.clear();
    this.routes.set(subject, route);
    return route;
  }

  /** Takes sub out of the routes (messages already routed to it are delivered while it is active). */
  private remove(sub: MemorySubscription): void {
    if (this.wildcard.delete(sub)) {
      this.routes.clear();
      return;
    }
    const set = this.literal.get(sub.subject);
    if (!set?.delete(sub)) return;
    if (set.size === 0) this.literal.delete(sub.subject);
    this.routes.clear();
  }

  private checkOpen(): void {
    if (this.closed) throw new BusClosedError();
  }
}

/** Round robin over the group's members still subscribed (a route may outlive an unsubscribe). */
function pickMember(group: Route['groups'][number]): MemorySubscription | undefined {
  const { members } = group;
  for (let tried = 0; tried < members.length; tried++) {
    const member = members[group.next % members.length]!;
    group.next = (group.next + 1) % members.length;
    if (member.active) return member;
  }
  return undefined;
}
