// A model's card for the /models/ page, read from its metadata.json (models/trained/<name>/):
// what it is, the data sets with their citations and licenses, headline metrics, the command that
// reproduces it, the per-epoch history (metrics.history, the one key every model keeps it under)
// and, when the metadata has one, the confusion matrix of its validation. Nothing is invented:
// a field the metadata lacks is absent from the card, and the page says so.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfusionCard, DatasetCard, ModelCard } from '../../protocol/model-cards.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
/** Bookkeeping numbers that are not results. */
const NOT_HEADLINE = new Set(['n', 'epoch', 'evalSeed', 'evalNoiseSeed', 'judgeSeed']);

/** Every model folder's card, sorted by name; folders without a readable metadata.json are skipped. */
export function readModelCards(root: string): ModelCard[] {
  if (!existsSync(root)) return [];
  const cards: ModelCard[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(root, entry.name, 'metadata.json');
    if (!existsSync(file)) continue;
    try {
      cards.push(modelCard(JSON.parse(readFileSync(file, 'utf8')) as Json, entry.name));
    } catch {
      // A broken metadata file hides one card, not the page.
    }
  }
  return cards.sort((a, b) => a.name.localeCompare(b.name));
}

export function modelCard(meta: Json, folder: string): ModelCard {
  const metrics = isObject(meta.metrics) ? meta.metrics : {};
  const card: ModelCard = {
    name: text(meta.name) ?? folder,
    kind: text(meta.kind) ?? 'unknown',
    datasets: datasets(meta.data),
    metrics: headline(metrics),
    history: history(metrics.history),
  };
  const description = text(meta.description);
  if (description) card.description = description;
  if (Array.isArray(meta.classes)) card.classes = meta.classes.map(String);
  const command = text(meta.command);
  if (command) card.command = command;
  if (typeof meta.seed === 'number') card.seed = meta.seed;
  if (typeof meta.epochs === 'number') card.epochs = meta.epochs;
  const backend = text(meta.backend);
  if (backend) card.backend = backend;
  const trainedAt = text(meta.trainedAt);
  if (trainedAt) card.trainedAt = trainedAt;
  const confusion = confusionOf(metrics.validation);
  if (confusion) card.confusion = confusion;
  return card;
}

function headline(metrics: Json): { name: string; value: number }[] {
  const out: { name: string; value: number }[] = [];
  const add = (prefix: string, from: Json) => {
    for (const [k, v] of Object.entries(from)) if (typeof v === 'number' && Number.isFinite(v) && !NOT_HEADLINE.has(k)) out.push({ name: prefix + k, value: v });
  };
  if (isObject(metrics.validation)) add('validation ', metrics.validation);
  add('', metrics);
  if (isObject(metrics.heldOutEval)) add('held-out ', metrics.heldOutEval);
  return out;
}

function history(value: unknown): Record<string, number>[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>);
}

function confusionOf(validation: unknown): ConfusionCard | undefined {
  if (!isObject(validation) || !Array.isArray(validation.confusion) || !Array.isArray(validation.classes)) return undefined;
  const columns = validation.classes.map(String);
  const rows = Array.isArray(validation.confusionRows) ? validation.confusionRows.map(String) : columns;
  const counts = validation.confusion.map((r) => (Array.isArray(r) ? r.map(Number) : []));
  if (counts.length !== rows.length || counts.some((r) => r.length !== columns.length)) return undefined;
  const n = typeof validation.n === 'number' ? `, ${validation.n} windows` : '';
  return { rows, columns, counts, title: `validation${n}` };
}

/** The data sets, from the shapes the trainers write (a datasets list, a sources list, or one corpus/data set). */
function datasets(data: unknown): DatasetCard[] {
  if (!isObject(data)) return [];
  if (Array.isArray(data.datasets)) return data.datasets.filter(isObject).map((d) => dataset(text(d.dataset) ?? text(d.name) ?? 'data set', d));
  if (Array.isArray(data.sources)) return data.sources.filter(isObject).map((d) => dataset(text(d.package) ?? text(d.name) ?? 'source', d));
  const name = text(data.mnist) ? 'MNIST' : (text(data.corpus) ?? 'data');
  return [dataset(name, data)];
}

function dataset(name: string, d: Json): DatasetCard {
  const out: DatasetCard = { name };
  const citation = text(d.citation);
  if (citation) out.citation = citation;
  const license = text(d.license);
  if (license) out.license = license;
  const source = text(d.sources) ?? text(d.package);
  if (source) out.source = source;
  return out;
}
