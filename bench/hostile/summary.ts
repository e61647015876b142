// What a hostile run amounts to: the summaries of its attack processes (one per server lifetime)
// added up, and the figures of it that a benchmark's JSON line reports.
import type { HostileSummary } from './hostile-mix.js';
import { inc, type Tally } from './tally.js';

export function sum(t: Tally): number {
  return Object.values(t).reduce((s, v) => s + v, 0);
}

/** "a 3, b 1" (or "-"), for stderr tables. */
export function fmt(t: Tally): string {
  return (
    Object.entries(t)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '-'
  );
}

function countBy(keys: string[]): Tally {
  const t: Tally = {};
  for (const k of keys) inc(t, k);
  return t;
}

function addTally(into: Tally, from: Tally): Tally {
  for (const [k, v] of Object.entries(from)) inc(into, k, v);
  return into;
}

/** One summary from those of every attack process (one per server lifetime). */
export function aggregate(list: HostileSummary[]) {
  const ws = Object.fromEntries((['device', 'dashboard', 'text'] as const).map((e) => [e, { sent: 0, replies: {} as Tally, closes: {} as Tally, connects: 0 }])) as Record<
    'device' | 'dashboard' | 'text',
    { sent: number; replies: Tally; closes: Tally; connects: number }
  >;
  const out = {
    frames: 0,
    seconds: 0,
    ws,
    http: { sent: 0, status: {} as Tally, networkErrors: {} as Tally, serverErrors: [] as HostileSummary['http']['serverErrors'] },
    nonReaders: { frames: 0, opened: 0, cutByServer: {} as Tally },
    storm: { connections: 0, outcomes: {} as Tally },
    protocol: { sent: 0 },
    slowHttp: { opened: 0, cutByServer: 0, longestLivedMs: 0, stillOpen: 0 },
  };
  for (const s of list) {
    out.frames += s.frames;
    out.seconds += s.seconds;
    for (const e of ['device', 'dashboard', 'text'] as const) {
      ws[e].sent += s.ws[e].sent;
      addTally(ws[e].replies, s.ws[e].replies);
      addTally(ws[e].closes, s.ws[e].closes);
      ws[e].connects += s.ws[e].connects;
    }
    out.http.sent += s.http.sent;
    addTally(out.http.status, s.http.status);
    addTally(out.http.networkErrors, s.http.networkErrors);
    out.http.serverErrors.push(...s.http.serverErrors);
    out.nonReaders.frames += s.nonReaders.frames;
    out.nonReaders.opened += s.nonReaders.opened;
    addTally(out.nonReaders.cutByServer, s.nonReaders.cutByServer);
    out.storm.connections += s.storm.connections;
    addTally(out.storm.outcomes, s.storm.outcomes);
    out.protocol.sent += s.protocol.sent;
    out.slowHttp.opened += s.slowHttp.opened;
    out.slowHttp.cutByServer += s.slowHttp.cutByServer;
    out.slowHttp.stillOpen += s.slowHttp.stillOpen;
    out.slowHttp.longestLivedMs = Math.max(out.slowHttp.longestLivedMs, s.slowHttp.longestLivedMs);
  }
  return out;
}

export type HostileTotals = ReturnType<typeof aggregate>;

/** The JSON-line figures of a hostile run. */
export function reportFigures(agg: HostileTotals) {
  return {
    perEndpoint: {
      device: agg.ws.device.sent,
      dashboard: agg.ws.dashboard.sent,
      text: agg.ws.text.sent,
      http: agg.http.sent,
      nonReaders: agg.nonReaders.frames,
      storm: agg.storm.connections,
      protocol: agg.protocol.sent,
    },
    typedErrors: { device: agg.ws.device.replies, dashboard: agg.ws.dashboard.replies, text: agg.ws.text.replies },
    internalErrors: (['device', 'dashboard', 'text'] as const).reduce((s, e) => s + (agg.ws[e].replies.internal ?? 0), 0),
    http: {
      status: agg.http.status,
      networkErrors: agg.http.networkErrors,
      serverErrors: agg.http.serverErrors.length,
      serverErrorKinds: countBy(agg.http.serverErrors.map((e) => `${e.status} ${e.kind} ${e.method} ${e.path.split('?')[0]}`)),
    },
    nonReaders: { frames: agg.nonReaders.frames, opened: agg.nonReaders.opened, cutByServer: agg.nonReaders.cutByServer },
    slowHttp: agg.slowHttp,
  };
}

/** The stderr lines of a hostile run: per endpoint, HTTP (with the first 5xx), side attacks. */
export function printHostileReport(agg: HostileTotals, out: (line: string) => void, table: (headers: string[], rows: (string | number)[][]) => void): void {
  table(
    ['endpoint', 'sent', 'typed errors', 'internal', 'closes', 'connects'],
    (['device', 'dashboard', 'text'] as const).map((e) => [`/ws/${e}`, agg.ws[e].sent, sum(agg.ws[e].replies), agg.ws[e].replies.internal ?? 0, fmt(agg.ws[e].closes), agg.ws[e].connects]),
  );
  out(`HTTP: ${agg.http.sent} requests, status ${fmt(agg.http.status)}, network errors ${fmt(agg.http.networkErrors)}, 5xx kept ${agg.http.serverErrors.length}`);
  for (const e of agg.http.serverErrors.slice(0, 10)) out(`  ${e.status} ${e.kind} ${e.method} ${e.path.slice(0, 80)} -> ${e.reply.slice(0, 160)}`);
  out(
    `non-readers: ${agg.nonReaders.frames} frames, opened ${agg.nonReaders.opened}, cut by the server ${fmt(agg.nonReaders.cutByServer)}; storm: ${agg.storm.connections} connections ${fmt(agg.storm.outcomes)}; protocol violations: ${agg.protocol.sent}; slow HTTP: ${JSON.stringify(agg.slowHttp)}`,
  );
}
