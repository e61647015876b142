// Per-writer histories for adapted suggestions: the tokens each writer committed in earlier
// sessions (oldest first, at most `maxTokens`), one JSON file per writer id under the data
// folder. A session starts from its writer's history and, when it ends, appends the tokens
// before its cursor. Writers never see each other's files (the id is the file name, checked
// to be a plain name); `forget` deletes a writer's history from memory and disk.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isWriterId } from '../../protocol/text-messages.js';
import { MAX_LEARNED_TOKEN_CHARS } from '../../models/lm/writer-model.js';

export interface WriterStoreOptions {
  /** Folder of the writer files (created on first save). */
  dir: string;
  /** Tokens kept per writer; older ones are dropped first. */
  maxTokens: number;
}

interface WriterFile {
  version: 1;
  tokens: string[];
}

export class InvalidWriterIdError extends Error {
  constructor(id: string) {
    super(`not a writer id: ${JSON.stringify(id.slice(0, 80))}`);
    this.name = 'InvalidWriterIdError';
  }
}

/** Histories kept in memory at most (the least recently used are read from disk again when needed). */
const MAX_CACHED_WRITERS = 256;

export class WriterStore {
  /** Histories read or written in this process (a writer's file is read once). */
  private readonly cache = new Map<string, string[]>();
  /** Per writer, the last write in flight: writes of one writer happen in order. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(readonly options: WriterStoreOptions) {}

  /** The writer's history, oldest token first (empty for a new writer or an unreadable file). */
  async history(id: string): Promise<readonly string[]> {
    const file = this.file(id);
    const cached = this.cache.get(id);
    if (cached) return cached;
    await this.writes.get(id);
    let tokens: string[] = [];
    try {
      tokens = parseWriterFile(await readFile(file, 'utf8'), this.options.maxTokens);
    } catch {
      /* no file yet, or unreadable: the writer starts fresh (the file is replaced on the next save) */
    }
    return this.cache.get(id) ?? this.remember(id, tokens);
  }

  /** Appends a session's tokens to the writer's history (bounded) and saves it. */
  async append(id: string, tokens: readonly string[]): Promise<void> {
    if (tokens.length === 0) return;
    const history = [...(await this.history(id)), ...tokens.filter((t) => t.length <= MAX_LEARNED_TOKEN_CHARS)].slice(-this.options.maxTokens);
    this.remember(id, history);
    await this.enqueue(id, async () => {
      await mkdir(this.options.dir, { recursive: true });
      const tmp = `${this.file(id)}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ version: 1, tokens: history } satisfies WriterFile));
      await rename(tmp, this.file(id));
    });
  }

  /** Deletes everything stored of the writer. */
  async forget(id: string): Promise<void> {
    this.file(id);
    this.remember(id, []);
    await this.enqueue(id, () => rm(this.file(id), { force: true }));
  }

  /** Waits for every save in flight. */
  async flush(): Promise<void> {
    await Promise.all([...this.writes.values()]);
  }

  private remember(id: string, tokens: string[]): string[] {
    this.cache.delete(id);
    this.cache.set(id, tokens);
    if (this.cache.size > MAX_CACHED_WRITERS) this.cache.delete(this.cache.keys().next().value!);
    return tokens;
  }

  private file(id: string): string {
    if (!isWriterId(id)) throw new InvalidWriterIdError(id);
    return join(this.options.dir, `${id}.json`);
  }

  private enqueue(id: string, write: () => Promise<void>): Promise<void> {
    const next = (this.writes.get(id) ?? Promise.resolve()).catch(() => undefined).then(write);
    this.writes.set(id, next);
    void next
      .finally(() => {
        if (this.writes.get(id) === next) this.writes.delete(id);
      })
      .catch(() => undefined);
    return next;
  }
}

/** Tokens of a writer file; throws on anything but `{version: 1, tokens: string[]}`. */
export function parseWriterFile(json: string, maxTokens: number): string[] {
  const v = JSON.parse(json) as Partial<WriterFile>;
  if (!v || v.version !== 1 || !Array.isArray(v.tokens)) throw new Error('not a writer file');
  return v.tokens.filter((t): t is string => typeof t === 'string' && t.length > 0 && t.length <= MAX_LEARNED_TOKEN_CHARS).slice(-maxTokens);
}
