// The committed word model (models/trained/english-word): its metadata tells how to make it again
// (the whole chain of commands when it was continued with --init-from), the committed weights give
// the validation figures the metadata records, and they beat the n-gram baseline on held-out text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../data/corpora/index.js';
import { corpusTokenIds } from '../../models/lm/corpus-tokens.js';
import { loadLm, type LoadedLm } from '../../models/lm/lm-store.js';
import { NextTokenMetrics } from '../../models/lm/metrics.js';
import { KneserNeyModel } from '../../models/lm/ngram.js';
import { scoreStreamsAsync } from '../../models/lm/stream-scoring.js';
import { initBackend } from '../../models/runtime/backend.js';

interface Metrics {
  epoch: number;
  valLoss: number;
  valTop1: number;
  valTop3: number;
  history: { epoch: number; valLoss: number }[];
  heldOutEval: { command: string; tokens: number; top3: number; perplexity: number; baseline: { top3: number; perplexity: number } };
}

let lm: LoadedLm;
let metrics: Metrics;

beforeAll(async () => {
  await initBackend('wasm');
  lm = await loadLm('english-word');
  metrics = lm.metadata.metrics as unknown as Metrics;
});
afterAll(() => lm?.stepper.dispose());

describe('committed english-word model', () => {
  it('records the chain of commands that reproduces it, ending at the saved epoch', () => {
    expect(lm.metadata.kind).toBe('lm-lstm');
    expect(lm.metadata.extra?.corpus).toBe('english');
    const steps = lm.metadata.command!.split(' && ');
    for (const s of steps) expect(s).toMatch(/^npm run train -- lm --corpus english --tokens word --name english-word /);
    for (const s of steps.slice(1)) expect(s).toMatch(/ --init-from english-word( |$)/);
    expect(steps[steps.length - 1]).toMatch(new RegExp(` --epochs ${metrics.epoch}$`));
    expect(lm.metadata.epochs).toBe(metrics.epoch);
    // One history entry per epoch of the whole chain, and the saved epoch is the best one.
    expect(metrics.history.map((h) => h.epoch)).toEqual(Array.from({ length: metrics.epoch }, (_, i) => i + 1));
    expect(Math.min(...metrics.history.map((h) => h.valLoss))).toBe(metrics.valLoss);
  });

  it('records a held-out evaluation of these weights, above the n-gram baseline', () => {
    const e = metrics.heldOutEval;
    expect(e.command).toMatch(/^npm run eval -- lm --model english-word --heldout/);
    expect(e.tokens).toBeGreaterThan(70_000);
    expect(e.top3).toBeGreaterThanOrEqual(0.27); // the target
    expect(e.top3).toBeGreaterThan(e.baseline.top3);
    expect(e.perplexity).toBeLessThan(e.baseline.perplexity);
  });

  it('gives the recorded validation figures, and a better top-3 than the 3-gram baseline on the same tokens', async () => {
    const training = lm.metadata.extra!.training as { valTokens: number };
    const corpus = loadCorpus('english');
    const ids = corpusTokenIds(corpus.validation, lm.tokenizer).subarray(0, training.valTokens);
    const ngram = KneserNeyModel.train(corpusTokenIds(corpus.train, lm.tokenizer), lm.tokenizer.size, 3);
    const model = new NextTokenMetrics();
    const baseline = new NextTokenMetrics();
    await scoreStreamsAsync(lm.stepper, ids, (pos, probs) => {
      model.add(probs, ids[pos]!);
      baseline.add(ngram.distribution(ids.subarray(Math.max(0, pos - 2), pos)), ids[pos]!);
    });
    const m = model.report();
    expect(m.crossEntropy).toBeCloseTo(metrics.valLoss, 4);
    expect(m.top1).toBeCloseTo(metrics.valTop1, 6);
    expect(m.top3).toBeCloseTo(metrics.valTop3, 6);
    expect(m.top3).toBeGreaterThan(baseline.report().top3);
  }, 120_000);
});
