// `npm run simulate -- typist`: people typing a text at a human pace into /ws/text and taking
// word suggestions as they appear; reports keystroke savings, top-3 hit rate and latency.
import { readFileSync, existsSync } from 'node:fs';
import { defineCommand, CliError, parseOptions } from '../cli/args.js';
import { backendOption, useBackend } from '../cli/backend-option.js';
import { printResultJson, roundDeep } from '../cli/report.js';
import { joinDocuments, loadCorpus } from '../data/corpora/index.js';
import { DEFAULT_TEXT_CONFIG } from '../server/text/text-config.js';
import { startTextServer } from '../server/text/standalone-text-server.js';
import { runTypists } from './typist-fleet.js';

export const spec = defineCommand({
  usage: 'npm run simulate -- typist [--text FILE] [--typists N] [--wpm W] [--url URL] [options]',
  summary: 'Simulated typists using live next-word suggestions over /ws/text; reports keystroke savings, top-3 hits and latency.',
  options: {
    text: { type: 'string', description: 'UTF-8 text to type (default: the held-out English text of the npm corpora)' },
    typists: { type: 'integer', min: 1, max: 5000, default: 10, aliases: ['count'], description: 'typists at once, each on its own stretch of the text' },
    wpm: { type: 'number', min: 1, max: 1000, default: 40, description: 'typing speed, words per minute' },
    url: { type: 'string', description: 'server to use (default: start the text service in this process)' },
    model: { type: 'string', default: 'english-word', description: 'text model to ask for' },
    seconds: { type: 'number', min: 1, default: 60, description: 'stop after this long' },
    chars: { type: 'integer', min: 10, default: 2000, description: 'characters each typist types at most' },
    seed: { type: 'integer', default: 1, description: 'seed of the typing rhythm' },
    backend: backendOption,
  },
  notes: 'keystrokeSavings = 1 - keys pressed / keys of the text (accepting a suggestion is one key). top3 = share of words that were among the three suggestions on screen before their first letter.',
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  let text: string;
  if (o.text) {
    if (!existsSync(o.text)) throw new CliError(`--text: no file ${o.text}`);
    text = readFileSync(o.text, 'utf8');
  } else {
    text = joinDocuments(loadCorpus('english').validation);
  }
  text = text.replace(/\s+/g, ' ');
  if (text.trim().length < 10) throw new CliError('the text is too short to type');

  let url = o.url ? o.url : undefined;
  let local: Awaited<ReturnType<typeof startTextServer>> | undefined;
  if (!url) {
    await useBackend(o.backend);
    local = await startTextServer({ ...DEFAULT_TEXT_CONFIG, defaultModel: o.model, allowedModels: [o.model], maxSessions: o.typists + 10 });
    url = local.url;
    console.error(`text service on ${url}`);
  }
  try {
    const { counters, latency, serverLatency } = await runTypists({
      url,
      text,
      typists: o.typists,
      wpm: o.wpm,
      model: o.model,
      seconds: o.seconds,
      charsPerTypist: o.chars,
      seed: o.seed,
      onProgress: (c, latency) =>
        console.error(
          `typists ${c.connected}/${c.typists}  keys ${c.keystrokes}  words ${c.words}  accepted ${c.accepted}  ` +
            `latency p50 ${latency.percentile(50).toFixed(1)} p99 ${latency.percentile(99).toFixed(1)} ms` +
            (Object.keys(c.errors).length ? `  errors ${JSON.stringify(c.errors)}` : ''),
        ),
    });
    printResultJson(
      roundDeep({
        typists: counters.typists,
        keystrokes: counters.keystrokes,
        keystrokeSavings: counters.plainKeystrokes > 0 ? 1 - counters.keystrokes / counters.plainKeystrokes : 0,
        top3: counters.top3Seen > 0 ? counters.top3Hits / counters.top3Seen : 0,
        latencyMs: { p50: latency.percentile(50), p99: latency.percentile(99) },
        words: counters.words,
        accepted: counters.accepted,
        serverLatencyMs: { p50: serverLatency.percentile(50), p99: serverLatency.percentile(99) },
        errors: counters.errors,
      }),
    );
  } finally {
    await local?.close();
  }
}
