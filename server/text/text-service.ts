// The text service: language models loaded on first use (or handed in by tests), one step
// batcher per model shared by all its sessions and generations, and the session count. Models
// loaded by name run their steps in one worker thread (worker-stepper.ts); the main thread keeps
// their tokenizers.
import { loadLmDescription, type LoadedLm } from '../../models/lm/lm-store.js';
import type { StepModel } from '../../models/lm/lstm-step.js';
import type { Tokenizer } from '../../models/lm/tokenizer.js';
import { StepWorker } from './worker-stepper.js';
import type { ModelStatus } from '../model-status.js';
import type { TextServiceConfig } from './text-config.js';
import { StepBatcher } from './step-batcher.js';
import { WriterStore, type WriterStoreOptions } from './writer-store.js';
import { DEFAULT_WRITER_TOKENS } from '../../models/lm/writer-model.js';

/** Where writer histories live (`text.writersDir` in the options table). */
export function writerStoreOptions(config: TextServiceConfig): WriterStoreOptions {
  return { dir: config.writersDir, maxTokens: DEFAULT_WRITER_TOKENS };
}

export class UnknownModelError extends Error {
  constructor(name: string, allowed: string[]) {
    super(`unknown text model '${name}' (available: ${allowed.join(', ')})`);
    this.name = 'UnknownModelError';
  }
}

/** What the service needs of a language model: its name, tokenizer and steps. */
export interface ServedLm {
  name: string;
  tokenizer: Tokenizer;
  stepper: StepModel;
}

export interface ServedModel {
  lm: ServedLm;
  batcher: StepBatcher;
}

export class TextService {
  private readonly models = new Map<string, Promise<ServedModel>>();
  private sessionCount = 0;
  private readonly ready = new Map<string, ServedModel>();
  /** Why the last load of a model failed (cleared when a later load succeeds). */
  private readonly loadErrors = new Map<string, string>();
  /** Word suggestions adapt to the writer (off only to measure what adaptation costs: bench lm-stream --no-adapt). */
  adaptSuggestions = true;
  /** Writers' histories: read when a session starts, appended to when it ends. */
  readonly writers: WriterStore;
  /** The thread of the models loaded by name (started with the first of them). */
  readonly stepWorker: StepWorker;
  /** Sessions whose writer history is still to be saved (saved on close if still open). */
  private readonly unsaved = new Set<() => Promise<void>>();

  /**
   * `preloaded` models are served as given, in this thread (tests), and not disposed on close.
   * `backend`: the tfjs backend of the step workers (the main thread's choice; 'auto' picks again).
   */
  constructor(
    readonly config: TextServiceConfig,
    preloaded: LoadedLm[] = [],
    writers: WriterStoreOptions = writerStoreOptions(config),
    backend = 'auto',
  ) {
    this.stepWorker = new StepWorker({ backend });
    this.writers = new WriterStore(writers);
    for (const lm of preloaded) this.models.set(lm.name, Promise.resolve(this.serve(lm)));
  }

  get sessions(): number {
    return this.sessionCount;
  }

  /** Reserves a session slot; false when the service is full. */
  openSession(): boolean {
    if (this.sessionCount >= this.config.maxSessions) return false;
    this.sessionCount++;
    return true;
  }

  closeSession(): void {
    this.sessionCount = Math.max(0, this.sessionCount - 1);
  }

  /** The model and its batcher, loading it on first use. */
  model(name: string = this.config.defaultModel): Promise<ServedModel> {
    let m = this.models.get(name);
    if (!m) {
      if (!this.config.allowedModels.includes(name)) return Promise.reject(new UnknownModelError(name, this.available()));
      m = this.load(name).then((lm) => this.serve(lm));
      m.catch((err: unknown) => {
        this.models.delete(name);
        this.loadErrors.set(name, err instanceof Error ? err.message : String(err));
      });
      this.models.set(name, m);
    }
    return m;
  }

  available(): string[] {
    return [...new Set([...this.models.keys(), ...this.config.allowedModels])];
  }

  /** Each model a client may ask for, for /api/health: models load on first use. */
  modelStatus(): ModelStatus[] {
    return this.available().map((name) => {
      const served = this.ready.get(name);
      const status: ModelStatus = { name, loaded: served !== undefined, trained: true, details: { kind: 'text', loadsOnFirstUse: true } };
      const error = this.loadErrors.get(name);
      if (!served && error !== undefined) status.error = error;
      if (served) status.details = { ...status.details, tokens: served.lm.tokenizer.kind, vocabulary: served.lm.tokenizer.size };
      return status;
    });
  }

  /** Sessions open, and per loaded model its step batcher's figures. */
  stats(): { sessions: number; models: Record<string, ReturnType<StepBatcher['stats']>> } {
    const models: Record<string, ReturnType<StepBatcher['stats']>> = {};
    for (const [name, served] of this.ready) models[name] = served.batcher.stats();
    return { sessions: this.sessionCount, models };
  }

  /** Registers a session's save of its writer's history, to be run on close if the session has not run it; returns the unregister. */
  pendingSave(save: () => Promise<void>): () => void {
    this.unsaved.add(save);
    return () => this.unsaved.delete(save);
  }

  async close(): Promise<void> {
    await Promise.all([...this.unsaved].map((save) => save().catch(() => undefined)));
    this.unsaved.clear();
    await this.writers.flush();
    // Batches in flight finish first; then the worker (with the models loaded by name) ends. Preloaded models are the caller's.
    for (const p of this.models.values()) await (await p.catch(() => undefined))?.batcher.close();
    await this.stepWorker.dispose();
    this.models.clear();
    this.ready.clear();
  }

  /** The model's tokenizer here, its steps in a worker thread. */
  private async load(name: string): Promise<ServedLm> {
    // Missing or not a language model: found here, with the error's own class (the routes answer 404).
    const { dir, metadata, tokenizer } = await loadLmDescription(name);
    // The worker loads it with loadLm, which also checks the model's outputs against the tokenizer.
    return { name: metadata.name, tokenizer, stepper: await this.stepWorker.load(dir) };
  }

  private serve(lm: ServedLm): ServedModel {
    const served = { lm, batcher: new StepBatcher(lm.stepper, this.config.batching) };
    this.ready.set(lm.name, served);
    this.loadErrors.delete(lm.name);
    return served;
  }
}
