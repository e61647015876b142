// Text corpora for the language models, each split into training and held-out documents.
// A corpus is named (moby-dick, sotu, english = both) or is a path to a UTF-8 text file.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOBY_DICK_SOURCE, SOTU_SOURCE, mobyDickDocuments, sotuDocuments, type Document } from './stdlib-english.js';

export type { Document } from './stdlib-english.js';

export const NAMED_CORPORA = ['moby-dick', 'sotu', 'english'] as const;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Corpus {
  /** The spec it was loaded from: a corpus name, or a path relative to the repository. */
  name: string;
  train: Document[];
  /** Held out: never trained on; validation figures and eval --heldout use it. */
  validation: Document[];
  /** Provenance for model metadata: sources, citation, and how the split was made. */
  provenance: Record<string, unknown>;
}

/** Moby-Dick: chapters 121 onward and the epilogue are held out (about 10% of the book). */
const MOBY_HELDOUT_FROM_CHAPTER = 121;
/** SOTU: addresses from 2015 on are held out (seven speeches). */
const SOTU_HELDOUT_FROM_YEAR = 2015;
/** A plain-text file: the last 10% of its characters are held out. */
const FILE_HELDOUT_FRACTION = 0.1;

export function loadCorpus(spec: string): Corpus {
  if (spec === 'moby-dick') return mobyDick();
  if (spec === 'sotu') return sotu();
  if (spec === 'english') {
    const m = mobyDick();
    const s = sotu();
    return {
      name: 'english',
      train: [...m.train, ...s.train],
      validation: [...m.validation, ...s.validation],
      provenance: { sources: [m.provenance, s.provenance] },
    };
  }
  return textFile(spec);
}

function mobyDick(): Corpus {
  const docs = mobyDickDocuments();
  const isHeldOut = (d: Document) => {
    const m = /chapter-(\d+)$/.exec(d.id);
    return d.id.endsWith('/epilogue') || (m !== null && Number(m[1]) >= MOBY_HELDOUT_FROM_CHAPTER);
  };
  return {
    name: 'moby-dick',
    train: docs.filter((d) => !isHeldOut(d)),
    validation: docs.filter(isHeldOut),
    provenance: { ...MOBY_DICK_SOURCE, heldOut: `chapters ${MOBY_HELDOUT_FROM_CHAPTER}-135 and the epilogue` },
  };
}

function sotu(): Corpus {
  const docs = sotuDocuments();
  const year = (d: Document) => Number(/sotu\/(\d+)/.exec(d.id)?.[1]);
  return {
    name: 'sotu',
    train: docs.filter((d) => year(d) < SOTU_HELDOUT_FROM_YEAR),
    validation: docs.filter((d) => year(d) >= SOTU_HELDOUT_FROM_YEAR),
    provenance: { ...SOTU_SOURCE, heldOut: `addresses of ${SOTU_HELDOUT_FROM_YEAR}-2021` },
  };
}

function textFile(path: string): Corpus {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new Error(`corpus '${path}' is neither ${NAMED_CORPORA.join(', ')} nor an existing file`);
  }
  const text = readFileSync(abs, 'utf8');
  if (text.length < 100) throw new Error(`corpus file ${path} is too short (${text.length} characters)`);
  const cut = Math.floor(text.length * (1 - FILE_HELDOUT_FRACTION));
  const rel = relative(REPO_ROOT, abs);
  const sourcesMd = join(dirname(abs), 'SOURCES.md');
  return {
    name: rel,
    train: [{ id: rel, text: text.slice(0, cut) }],
    validation: [{ id: `${rel}#heldout`, text: text.slice(cut) }],
    provenance: {
      path: rel,
      characters: text.length,
      heldOut: `last ${FILE_HELDOUT_FRACTION * 100}% of the characters (from offset ${cut})`,
      ...(existsSync(sourcesMd) ? { sources: relative(REPO_ROOT, sourcesMd), citation: citationFrom(readFileSync(sourcesMd, 'utf8')) } : {}),
    },
  };
}

/** The "Cite:" line of a SOURCES.md, when it has one. */
function citationFrom(md: string): string | undefined {
  const line = md.split('\n').find((l) => /\*\*Cite:\*\*/.test(l));
  return line?.replace(/.*\*\*Cite:\*\*\s*/, '').trim();
}

/** Documents joined for character-level models; a blank line marks where one ends. */
export function joinDocuments(docs: readonly Document[]): string {
  return docs.map((d) => d.text).join('\n\n');
}
