// `npm run eval -- lm --model NAME --text FILE`: how well a language model predicts a text,
// beside an interpolated Kneser-Ney n-gram baseline trained on the model's own training split,
// and how many keystrokes its top-3 suggestions save a typist.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand, CliError, parseOptions } from '../../cli/args.js';
import { backendOption, useBackend } from '../../cli/backend-option.js';
import { backendReport } from '../runtime/backend.js';
import { ProgressBar } from '../../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../../cli/report.js';
import { joinDocuments, loadCorpus } from '../../data/corpora/index.js';
import { corpusTokenIds } from './corpus-tokens.js';
import { charKeystrokeSavings, wordKeystrokeSavings } from './keystroke-savings.js';
import { loadMetadata, modelDir, saveMetadata } from '../store/model-store.js';
import { loadLm } from './lm-store.js';
import type { LstmStepper } from './lstm-step.js';
import { NextTokenMetrics, NextWordMetrics } from './metrics.js';
import { KneserNeyModel } from './ngram.js';
import { scoreStreamsAsync } from './stream-scoring.js';
import { isWordToken } from './tokenizer.js';
import { PrefixIndex } from './word-completion.js';
import { PairedLead } from './paired-lead.js';
import { AdaptedScoring } from './adapted-scoring.js';
import { DEFAULT_WRITER_TOKENS } from './writer-model.js';
import { DEFAULT_NEURAL_CACHE_TOKENS } from './neural-cache.js';
import { DEFAULT_WRITER_MIX, NEURAL_CACHE_MIX } from './adapted-distribution.js';

export const spec = defineCommand({
  usage: 'npm run eval -- lm --model <name> (--text <file> | --heldout) [options]',
  summary: 'Cross-entropy, perplexity, top-1/top-3 next-token accuracy and keystroke savings of a language model, with an n-gram baseline.',
  options: {
    model: { type: 'string', required: true, description: 'model name in models/trained, or a folder' },
    text: { type: 'path', description: 'UTF-8 text file to score' },
    heldout: { type: 'boolean', default: false, description: "score the held-out split of the model's training corpus instead of --text" },
    documents: { type: 'string', description: 'with --heldout: only the held-out documents whose id starts with this (e.g. moby-dick, sotu)' },
    'max-tokens': { type: 'integer', min: 0, default: 0, description: 'score only the first N tokens (0 = all)' },
    order: { type: 'integer', min: 1, max: 8, description: 'n-gram order of the baseline (default 3 for word, 6 for char models)' },
    streams: { type: 'integer', min: 1, max: 1024, default: 64, description: 'parallel streams the text is cut into for stateful scoring' },
    'savings-words': { type: 'integer', min: 0, default: 400, description: 'char models: words simulated for keystroke savings (beam search per keystroke)' },
    adapt: {
      type: 'boolean',
      default: false,
      description:
        'word models: adapt to the text as a writer types it (a cache of their words and word pairs, only of tokens already scored); the result is the adapted model, with `unadapted` beside it',
    },
    'writer-tokens': { type: 'integer', min: 1, default: DEFAULT_WRITER_TOKENS, description: 'with --adapt: tokens the writer model keeps (its bound in the server)' },
    'neural-cache': {
      type: 'boolean',
      default: true,
      description: "with --adapt: also a continuous cache of the model's feature vectors at the writer's recent tokens (--no-neural-cache: the n-gram caches only)",
    },
    'neural-cache-tokens': { type: 'integer', min: 1, default: DEFAULT_NEURAL_CACHE_TOKENS, description: 'with --adapt: tokens the neural cache keeps (at most --writer-tokens)' },
    record: { type: 'boolean', default: false, description: "with --heldout: write the result and this command into the model's metadata.json (metrics.heldOutEval)" },
    backend: backendOption,
  },
  notes: [
    'Metrics are per token (characters or words+punctuation). top-k never suggests <unk>, and an <unk> target is a miss.',
    'Word models also report nextWord: top-1/3 over word targets only, among words only (what a suggestion bar offers).',
    'keystrokeSavings: share of keystrokes saved by a typist who accepts the right word (one keystroke) as soon as it is',
    'among the top-3 completions of what they typed of it. Word models: as on the typing page, accepting also types the',
    "space after the word, which a following , . ; : ! ? ) ] } % ' or new line replaces (and anything else must delete);",
    'keystrokeSavingsWithoutAutoSpace is the same typist on a keyboard that adds no space. The n-gram baseline is trained on the training split of the',
    "model's corpus (metadata extra.corpus), so that corpus must be available.",
  ].join('\n'),
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  if (!o.text === !o.heldout) throw new CliError('give exactly one of --text FILE or --heldout');
  // Only the held-out split is recorded: anyone with the repository can score it again.
  if (o.record && !o.heldout) throw new CliError('--record needs --heldout');
  if (o.documents !== undefined && !o.heldout) throw new CliError('--documents needs --heldout');
  if (o.record && o.documents !== undefined) throw new CliError('--record records the whole held-out split: leave out --documents');
  if (o.record && o.adapt) throw new CliError('--record records the committed model: leave out --adapt');
  const backend = await useBackend(o.backend);
  const lm = await loadLm(o.model);
  const { tokenizer, stepper, metadata } = lm;
  const corpusSpec = metadata.extra?.corpus;
  if (typeof corpusSpec !== 'string') throw new Error(`${lm.name}: metadata.extra.corpus is missing; cannot train the baseline`);
  const corpus = loadCorpus(corpusSpec);

  let text: string;
  if (o.heldout) {
    const prefix = o.documents ?? '';
    const docs = corpus.validation.filter((d) => d.id.startsWith(prefix));
    if (docs.length === 0) throw new CliError(`--documents: no held-out document id starts with '${prefix}'`);
    text = joinDocuments(docs);
  } else {
    const path = o.text;
    if (path === undefined || !existsSync(path)) throw new CliError(`--text: no file ${path}`);
    text = readFileSync(path, 'utf8');
  }
  let ids = Int32Array.from(tokenizer.encode(text));
  if (o['max-tokens'] > 0) ids = ids.subarray(0, o['max-tokens']);
  if (ids.length < 2) throw new CliError('the text has fewer than two tokens');

  const order = o.order ?? (tokenizer.kind === 'word' ? 3 : 6);
  console.error(`training the ${order}-gram Kneser-Ney baseline on ${corpus.name} (training split)…`);
  const ngram = KneserNeyModel.train(corpusTokenIds(corpus.train, tokenizer), tokenizer.size, order);

  const lstm = new NextTokenMetrics();
  const baseline = new NextTokenMetrics();
  // Per position top-3 verdicts of the LSTM, paired with the baseline's below.
  const lstmHit3 = new Map<number, boolean>();
  const lstmWordHit3 = new Map<number, boolean>();
  const lead3 = new PairedLead();
  const leadWords3 = new PairedLead();
  const scored: number[] = [];
  const index = tokenizer.kind === 'word' ? PrefixIndex.for(tokenizer) : undefined;
  const savingsWord = index ? wordKeystrokeSavings(index, text) : undefined;
  // Word models: next-word accuracy as the suggestion bar shows it (words only).
  const isWord = tokenizer.vocab.map((t) => isWordToken(t));
  const suggestWords = (probs: ArrayLike<number>, k: number) => index!.completeIds(probs, '', k);
  const lstmWords = new NextWordMetrics(suggestWords);
  if (o.adapt && !index) throw new CliError('--adapt needs a word model');
  const neural = o.adapt && o['neural-cache'];
  if (neural && o['neural-cache-tokens'] > o['writer-tokens']) throw new CliError('--neural-cache-tokens: at most --writer-tokens');
  // The neural cache of a stream starts with the pairs of the text before it: their vectors come
  // from a first pass over the text (a vector depends only on the text before its position).
  const F = stepper.featureSize;
  const vectors = neural ? await featureVectors(stepper, ids, o.streams, F) : undefined;
  const adapted = o.adapt
    ? new AdaptedScoring(tokenizer, index!, text, tokenizer.split(text), {
        maxTokens: o['writer-tokens'],
        mix: neural ? { ...DEFAULT_WRITER_MIX, ...NEURAL_CACHE_MIX } : { ...DEFAULT_WRITER_MIX, neural: 0 },
        ...(vectors ? { neuralCache: { window: o['neural-cache-tokens'], dim: F, vectorAt: (i: number) => (vectors.known[i] ? vectors.data.subarray(i * F, (i + 1) * F) : undefined) } } : {}),
      })
    : undefined;
  const unadaptedHit3 = new Map<number, boolean>();
  const baselineWords = new NextWordMetrics(suggestWords);
  // Read with data(): webgpu cannot read GPU tensors synchronously in Node.
  await scoreStreamsAsync(
    stepper,
    ids,
    (pos, probs, stream, features) => {
      const hit3 = lstm.add(probs, ids[pos]!);
      // With --adapt the lead over the baseline is the adapted model's.
      lstmHit3.set(pos, adapted ? adapted.visit(pos, probs, stream, hit3, features) : hit3);
      if (adapted) unadaptedHit3.set(pos, hit3);
      const wordHit = index ? lstmWords.add(probs, ids[pos]!, isWord[ids[pos]!]!) : undefined;
      if (wordHit !== undefined) lstmWordHit3.set(pos, wordHit);
      savingsWord?.visit(pos, probs);
      scored.push(pos);
    },
    { streams: o.streams, progress: `${lm.name}` },
  );
  const bar = new ProgressBar({ total: scored.length, label: `${order}-gram`, unit: 'tokens' });
  for (const pos of scored) {
    const dist = ngram.distribution(ids.subarray(Math.max(0, pos - order + 1), pos));
    lead3.add(pos, lstmHit3.get(pos)!, baseline.add(dist, ids[pos]!));
    const wordHit = index ? baselineWords.add(dist, ids[pos]!, isWord[ids[pos]!]!) : undefined;
    if (wordHit !== undefined) leadWords3.add(pos, lstmWordHit3.get(pos)!, wordHit);
    bar.tick(1);
  }

  let keystrokeSavings: number;
  let keystrokeSavingsWithoutAutoSpace: number | undefined;
  if (savingsWord) {
    ({ savings: keystrokeSavings, savingsWithoutAutoSpace: keystrokeSavingsWithoutAutoSpace } = savingsWord.result());
  } else {
    const r = await charKeystrokeSavings(stepper, tokenizer, text, o['savings-words']);
    keystrokeSavings = r.savings;
    console.error(`keystroke savings simulated on the first ${r.words} words (${r.keystrokes} keystrokes)`);
  }

  const unadapted = { ...lstm.report(), keystrokeSavings, keystrokeSavingsWithoutAutoSpace, ...(index ? { nextWord: lstmWords.report() } : {}) };
  const a = adapted?.report();
  const m = a ?? unadapted;
  if (a) ({ keystrokeSavings, keystrokeSavingsWithoutAutoSpace } = a);
  const b = baseline.report();
  printTable(
    ['model', 'tokens', 'cross-entropy', 'perplexity', 'top1', 'top3'],
    [
      ...(a ? [[`${lm.name} adapted`, a.tokens, a.crossEntropy, a.perplexity, a.top1, a.top3]] : []),
      [lm.name, unadapted.tokens, unadapted.crossEntropy, unadapted.perplexity, unadapted.top1, unadapted.top3],
      [`${order}-gram KN`, b.tokens, b.crossEntropy, b.perplexity, b.top1, b.top3],
    ],
    (s) => console.error(s),
  );
  const result = roundDeep({
    model: lm.name,
    tokens: m.tokens,
    crossEntropy: m.crossEntropy,
    perplexity: m.perplexity,
    top1: m.top1,
    top3: m.top3,
    keystrokeSavings,
    ...(keystrokeSavingsWithoutAutoSpace !== undefined ? { keystrokeSavingsWithoutAutoSpace } : {}),
    ...(index ? { nextWord: a ? a.nextWord : lstmWords.report() } : {}),
    ...(a
      ? {
          adapted: { writerTokens: o['writer-tokens'], neuralCacheTokens: neural ? o['neural-cache-tokens'] : 0, top3GainedLost: a.top3GainedLost },
          unadapted: {
            top1: unadapted.top1,
            top3: unadapted.top3,
            keystrokeSavings: unadapted.keystrokeSavings,
            keystrokeSavingsWithoutAutoSpace: unadapted.keystrokeSavingsWithoutAutoSpace,
            crossEntropy: unadapted.crossEntropy,
            perplexity: unadapted.perplexity,
            nextWord: unadapted.nextWord,
          },
        }
      : {}),
    baseline: { top1: b.top1, top3: b.top3, perplexity: b.perplexity, crossEntropy: b.crossEntropy, order, ...(index ? { nextWord: baselineWords.report() } : {}) },
    // The LSTM's top-3 lead over the baseline on the same tokens, with a 95% interval over blocks of the text.
    lead: { top3: lead3.report(), ...(index ? { nextWordTop3: leadWords3.report() } : {}) },
    ...backendReport(backend),
  });
  const l = result.lead as { top3: { lead: number; ci95: number[] } };
  console.error(`top-3 lead over the ${order}-gram: ${(l.top3.lead * 100).toFixed(2)} points (95% interval ${l.top3.ci95.map((x) => (x * 100).toFixed(2)).join(' to ')})`);
  if (o.record) {
    const dir = modelDir(o.model);
    const meta = await loadMetadata(dir);
    meta.metrics = { ...meta.metrics, heldOutEval: { command: `npm run eval -- lm ${argv.filter((a) => a !== '--record').join(' ')}`, ...result } };
    await saveMetadata(dir, meta);
    console.error(`recorded in ${join(dir, 'metadata.json')} (metrics.heldOutEval)`);
  }
  printResultJson(result);
}

/** The model's feature vector at every position of the text (what predicted it), from the same streams as the scoring pass. */
async function featureVectors(stepper: LstmStepper, ids: Int32Array, streams: number, F: number): Promise<{ data: Float32Array; known: Uint8Array }> {
  const data = new Float32Array(ids.length * F);
  const known = new Uint8Array(ids.length);
  await scoreStreamsAsync(
    stepper,
    ids,
    (pos, _probs, _stream, features) => {
      if (!features) return;
      data.set(features, pos * F);
      known[pos] = 1;
    },
    { streams, progress: 'feature vectors' },
  );
  return { data, known };
}
