import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../data/corpora/index.js';
import { main as trainMain, reproducingCommand } from '../../models/lm/train.js';
import { main as evalMain } from '../../models/lm/eval.js';

let dir: string;

async function lastJsonLine(run: () => Promise<void>): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await run();
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  const lines = out.join('').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

describe('npm corpora', () => {
  it('splits Moby-Dick and the SOTU addresses into disjoint training and held-out documents', () => {
    const c = loadCorpus('english');
    const train = new Set(c.train.map((d) => d.id));
    expect(c.validation.some((d) => train.has(d.id))).toBe(false);
    expect(c.validation.map((d) => d.id)).toContain('moby-dick/epilogue');
    expect(c.validation.map((d) => d.id)).toContain('sotu/2021-joseph-r-biden');
    expect(train.has('moby-dick/chapter-1')).toBe(true);
    expect(() => loadCorpus('no-such-corpus.txt')).toThrow(/neither/);
  });
});

describe('lm train and eval CLIs', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensorium-lm-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains a tiny word model with checkpoints, resumes it, and evaluates it beside the n-gram baseline', async () => {
    const common = [
      '--corpus',
      'moby-dick',
      '--tokens',
      'word',
      '--vocab',
      '300',
      '--units',
      '16',
      '--embed',
      '8',
      '--seq',
      '8',
      '--batch',
      '32',
      '--max-train-tokens',
      '4000',
      '--val-tokens',
      '1500',
      '--out',
      join(dir, 'model'),
      '--checkpoint-dir',
      join(dir, 'ck'),
      '--backend',
      'wasm',
      '--name',
      'tiny',
    ];
    const first = await lastJsonLine(() => trainMain([...common, '--epochs', '1']));
    expect(first).toMatchObject({ model: 'tiny', epochs: 1, bestEpoch: 1 });
    const resumed = await lastJsonLine(() => trainMain([...common, '--epochs', '2', '--resume']));
    expect(resumed.epochs).toBe(2);
    expect(Number(resumed.valLoss)).toBeLessThanOrEqual(Number(first.valLoss));
    const meta = JSON.parse(await readFile(join(dir, 'model', 'metadata.json'), 'utf8'));
    expect(meta.kind).toBe('lm-lstm');
    expect(meta.command).toMatch(/^npm run train -- lm --corpus moby-dick/);
    expect(meta.command).toMatch(new RegExp(`--epochs ${meta.metrics.epoch}$`));
    expect(meta.command).not.toMatch(/--resume/);
    expect(meta.extra.corpus).toBe('moby-dick');
    expect(existsSync(join(dir, 'model', 'tokenizer.json'))).toBe(true);

    // Without its checkpoint, a run goes on from the saved model.
    const continued = await lastJsonLine(() => trainMain([...common.map((a) => (a === join(dir, 'ck') ? join(dir, 'ck2') : a)), '--epochs', '3', '--init-from', join(dir, 'model')]));
    expect(continued.epochs).toBe(3);
    const state3 = JSON.parse(await readFile(join(dir, 'ck2', 'state.json'), 'utf8'));
    expect(state3.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2, 3]);
    expect(state3.extra.initFrom.command).toBe(meta.command);

    const r = await lastJsonLine(() => evalMain(['--model', join(dir, 'model'), '--heldout', '--max-tokens', '1500', '--backend', 'wasm', '--record']));
    const recorded = JSON.parse(await readFile(join(dir, 'model', 'metadata.json'), 'utf8')).metrics.heldOutEval;
    expect(recorded).toMatchObject({ top3: r.top3, crossEntropy: r.crossEntropy, baseline: r.baseline });
    expect(recorded.command).toBe(`npm run eval -- lm --model ${join(dir, 'model')} --heldout --max-tokens 1500 --backend wasm`);
    for (const key of ['model', 'tokens', 'crossEntropy', 'perplexity', 'top1', 'top3', 'keystrokeSavings', 'baseline']) expect(r).toHaveProperty(key);
    expect(r.tokens).toBeGreaterThan(1000);
    expect(Math.log(Number(r.perplexity))).toBeCloseTo(Number(r.crossEntropy), 3);
    const b = r.baseline as Record<string, number>;
    expect(b.perplexity).toBeGreaterThan(1);
    expect(b.perplexity).toBeLessThan(300);
    expect(Number(r.top3)).toBeGreaterThanOrEqual(Number(r.top1));
    expect(Number(r.keystrokeSavings)).toBeGreaterThanOrEqual(0);
    const words = r.nextWord as { words: number; top3: number };
    expect(words.words).toBeGreaterThan(500);
    expect(words.words).toBeLessThan(Number(r.tokens));
    expect((b as unknown as { nextWord: { words: number } }).nextWord.words).toBe(words.words);
    // The paired lead is the same tokens' accuracy difference, with an interval around it.
    const lead = r.lead as Record<'top3' | 'nextWordTop3', { n: number; lead: number; ci95: [number, number] }>;
    expect(lead.top3.n).toBe(r.tokens);
    expect(lead.top3.lead).toBeCloseTo(Number(r.top3) - b.top3, 3);
    expect(lead.nextWordTop3.lead).toBeCloseTo(words.top3 - (b as unknown as { nextWord: { top3: number } }).nextWord.top3, 3);
    expect(lead.top3.ci95[0]).toBeLessThanOrEqual(lead.top3.lead);
    expect(lead.top3.ci95[1]).toBeGreaterThanOrEqual(lead.top3.lead);
  });

  it('eval --adapt: the adapted model beside the committed one on the same tokens; a repeated name outside the vocabulary becomes a hit', async () => {
    // Generated text: sentences of the corpus's words with a made-up name (never in the vocabulary) that recurs.
    const names = ['zyxomir', 'quorvell'];
    const sentences = Array.from({ length: 120 }, (_, i) => `the ship saw ${names[i % 2]} and the whale went down into the sea .`);
    const file = join(dir, 'adapt.txt');
    await writeFile(file, sentences.join(' '));
    const r = await lastJsonLine(() => evalMain(['--model', join(dir, 'model'), '--text', file, '--adapt', '--streams', '4', '--backend', 'wasm']));
    for (const key of ['top1', 'top3', 'keystrokeSavings', 'crossEntropy', 'perplexity', 'baseline', 'unadapted', 'nextWord', 'lead']) expect(r).toHaveProperty(key);
    const u = r.unadapted as Record<string, number>;
    for (const key of ['top1', 'top3', 'keystrokeSavings', 'keystrokeSavingsWithoutAutoSpace', 'crossEntropy']) expect(typeof u[key]).toBe('number');
    expect(Number(r.top3)).toBeGreaterThan(u.top3! + 0.1);
    expect(Number(r.keystrokeSavings)).toBeGreaterThan(u.keystrokeSavings!);
    // Nearly every word here is followed by a space, which the page types on accepting.
    expect(Number(r.keystrokeSavings)).toBeGreaterThan(Number(r.keystrokeSavingsWithoutAutoSpace));
    expect(Number(r.crossEntropy)).toBeLessThan(u.crossEntropy!);
    await expect(evalMain(['--model', join(dir, 'model'), '--heldout', '--adapt', '--record'])).rejects.toThrow(/leave out --adapt/);
  });

  it('refuses a resume of a different run and usage errors', async () => {
    await expect(trainMain(['--corpus', 'moby-dick', '--tokens', 'char', '--resume', '--checkpoint-dir', join(dir, 'ck'), '--backend', 'wasm', '--name', 'tiny'])).rejects.toThrow(
      /checkpoint was made with/,
    );
    await expect(evalMain(['--model', join(dir, 'model')])).rejects.toThrow(/exactly one of/);
    await expect(evalMain(['--model', join(dir, 'model'), '--text', 'README.md', '--record'])).rejects.toThrow(/--record needs --heldout/);
  });
});

describe('reproducingCommand', () => {
  it('pins --epochs to the saved epoch, drops --resume, --out and --checkpoint-dir, and puts the command of an --init-from model first', () => {
    expect(reproducingCommand(['--corpus', 'english', '--epochs', '40', '--resume', '--seed', '1'], 26)).toBe('npm run train -- lm --corpus english --seed 1 --epochs 26');
    expect(reproducingCommand(['--corpus', 'english', '--epochs=40'], 3)).toBe('npm run train -- lm --corpus english --epochs 3');
    expect(reproducingCommand(['--corpus', 'english'], 10)).toBe('npm run train -- lm --corpus english --epochs 10');
    // Where files go is not part of the model: the reproduced run writes to the store.
    expect(reproducingCommand(['--corpus', 'english', '--out', 'tmp/m', '--checkpoint-dir=ck', '--seed', '2'], 4)).toBe('npm run train -- lm --corpus english --seed 2 --epochs 4');
    const first = 'npm run train -- lm --corpus english --epochs 26';
    expect(reproducingCommand(['--corpus', 'english', '--init-from', 'm', '--epochs', '90'], 61, { command: first })).toBe(
      `${first} && npm run train -- lm --corpus english --init-from m --epochs 61`,
    );
    expect(reproducingCommand(['--corpus', 'english', '--epochs', '90', '--resume'], 72, { model: 'm', command: first })).toBe(
      `${first} && npm run train -- lm --corpus english --init-from m --epochs 72`,
    );
  });
});
