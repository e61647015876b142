// Simulated typists: each connects to /ws/text, types its own stretch of a text one key at a
// time at a human pace (words per minute with jitter), and accepts a suggestion the way a person
// would: when the word they are typing is among the completions already on screen for exactly
// what they typed, one keystroke inserts it. Latency = keystroke sent -> its suggestions back.
import { WebSocket } from 'ws';
import { RollingSamples } from '../lib/rolling-samples.js';
import { TEXT_PATH, type SuggestionsMessage, type TextServerMessage } from '../protocol/text-messages.js';
import { createRandom, type Random } from '../lib/random.js';

export interface FleetOptions {
  url: string;
  text: string;
  typists: number;
  wpm: number;
  model?: string;
  /** Stop after this long even if typists have text left. */
  seconds: number;
  /** Characters each typist types at most (its stretch of the text). */
  charsPerTypist: number;
  seed: number;
  /** Latencies of the first seconds (connections, warm-up) are not recorded. */
  warmupSeconds?: number;
  /** Called about once a second with the counters so far. */
  onProgress?: (c: FleetCounters, latency: RollingSamples) => void;
}

export interface FleetCounters {
  typists: number;
  connected: number;
  /** Keys pressed, accepting a suggestion counting one. */
  keystrokes: number;
  /** Keys the same text takes without suggestions. */
  plainKeystrokes: number;
  words: number;
  /** Words accepted from a suggestion. */
  accepted: number;
  /** Words whose first letter was not yet typed and that were among the top-3 next words shown. */
  top3Hits: number;
  /** Words for which suggestions at the word start were on screen (denominator of top3). */
  top3Seen: number;
  suggestions: number;
  errors: Record<string, number>;
}

const WORD_CHAR = /[\p{L}\p{N}']/u;

export async function runTypists(opts: FleetOptions): Promise<{ counters: FleetCounters; latency: RollingSamples; serverLatency: RollingSamples }> {
  const counters: FleetCounters = { typists: opts.typists, connected: 0, keystrokes: 0, plainKeystrokes: 0, words: 0, accepted: 0, top3Hits: 0, top3Seen: 0, suggestions: 0, errors: {} };
  const latency = new RollingSamples(1 << 20);
  const serverLatency = new RollingSamples(1 << 20);
  const deadline = performance.now() + opts.seconds * 1000;
  const recordFrom = performance.now() + (opts.warmupSeconds ?? 0) * 1000;
  const rng = createRandom(opts.seed);
  const progress = opts.onProgress ? setInterval(() => opts.onProgress!(counters, latency), 1000) : undefined;
  try {
    await Promise.all(
      Array.from({ length: opts.typists }, (_, i) => {
        const start = Math.floor((i * Math.max(1, opts.text.length - opts.charsPerTypist)) / Math.max(1, opts.typists));
        // Start at a word boundary so the first word is typed whole.
        let s = start;
        while (s > 0 && s < opts.text.length && WORD_CHAR.test(opts.text[s - 1]!)) s++;
        const stretch = opts.text.slice(s, s + opts.charsPerTypist);
        return typist(opts, stretch, rng.fork(), { deadline, recordFrom }, counters, latency, serverLatency);
      }),
    );
  } finally {
    if (progress) clearInterval(progress);
  }
  return { counters, latency, serverLatency };
}

async function typist(
  opts: FleetOptions,
  text: string,
  rng: Random,
  { deadline, recordFrom }: { deadline: number; recordFrom: number },
  counters: FleetCounters,
  latency: RollingSamples,
  serverLatency: RollingSamples,
): Promise<void> {
  const ws = new WebSocket(opts.url.replace(/^http/, 'ws') + TEXT_PATH);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  counters.connected++;
  let seq = 0;
  let shown: SuggestionsMessage | undefined;
  let started = false;
  let ready: () => void = () => {};
  let refused: (err: Error) => void = () => {};
  const readyP = new Promise<void>((resolve, reject) => {
    ready = resolve;
    refused = reject;
  });
  ws.on('close', () => refused(new Error('the server closed the connection before the session started')));
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as TextServerMessage;
    if (m.type === 'ready') {
      started = true;
      ready();
    } else if (m.type === 'error' && !started) refused(new Error(`the server refused the session: ${m.code}: ${m.message}`));
    else if (m.type === 'suggestions') {
      counters.suggestions++;
      const now = performance.now();
      if (now >= recordFrom) {
        if (m.sentAt !== undefined) latency.add(now - m.sentAt);
        serverLatency.add(m.latencyMs);
      }
      shown = m;
    }
    if (m.type === 'error') counters.errors[m.code] = (counters.errors[m.code] ?? 0) + 1;
  });
  ws.send(JSON.stringify({ type: 'start', ...(opts.model ? { model: opts.model } : {}), k: 3 }));
  try {
    await readyP;
  } catch (err) {
    ws.close();
    counters.connected--;
    throw err;
  }
  // Mean time per key: a "word" is 5 characters plus a space.
  const msPerKey = 60_000 / (opts.wpm * 6);
  const send = (edit: { insert?: string; delete?: number }) => {
    seq++;
    ws.send(JSON.stringify({ type: 'edit', seq, ...edit, sentAt: performance.now() }));
  };
  const pause = () => new Promise((r) => setTimeout(r, Math.max(5, msPerKey * (0.6 + 0.8 * rng.next()))));
  let i = 0;
  try {
    while (i < text.length && performance.now() < deadline && ws.readyState === ws.OPEN) {
      if (!WORD_CHAR.test(text[i]!)) {
        send({ insert: text[i] });
        counters.keystrokes++;
        counters.plainKeystrokes++;
        i++;
        await pause();
        continue;
      }
      let end = i;
      while (end < text.length && WORD_CHAR.test(text[end]!)) end++;
      const word = text.slice(i, end);
      counters.words++;
      counters.plainKeystrokes += word.length;
      let typed = 0;
      let accepted = false;
      for (; typed < word.length && performance.now() < deadline; typed++) {
        // What is on screen now, if it answers exactly what was typed so far.
        const current = shown?.seq === seq ? shown : undefined;
        const offered = current?.completions.map((c) => c.word.toLowerCase()) ?? [];
        if (typed === 0 && current) {
          counters.top3Seen++;
          if (offered.includes(word.toLowerCase())) counters.top3Hits++;
        }
        if (typed <= word.length - 2 && offered.includes(word.toLowerCase())) {
          send({ delete: typed, insert: word });
          counters.keystrokes++;
          counters.accepted++;
          accepted = true;
          await pause();
          break;
        }
        send({ insert: word[typed] });
        counters.keystrokes++;
        await pause();
      }
      if (!accepted && typed < word.length) counters.plainKeystrokes -= word.length - typed; // ran out of time mid-word
      i = end;
    }
  } finally {
    ws.close();
    counters.connected--;
  }
}
