// The text service: language models loaded on first use (or handed in by tests), one step
// batcher per model shared by all its sessions and generations, and the session count.
import { loadLm, type LoadedLm } from '../../models/lm/lm-store.js';
import type { TextServiceConfig } from './text-config.js';
import { StepBatcher } from './step-batcher.js';

export class UnknownModelError extends Error {
  constructor(name: string, allowed: string[]) {
    super(`unknown text model '${name}' (available: ${allowed.join(', ')})`);
    this.name = 'UnknownModelError';
  }
}

export interface ServedModel {
  lm: LoadedLm;
  batcher: StepBatcher;
}

export class TextService {
  private readonly models = new Map<string, Promise<ServedModel>>();
  private sessionCount = 0;
  private readonly owned = new Set<string>();
  private readonly ready = new Map<string, ServedModel>();

  /** `preloaded` models are served as given (tests) and not disposed on close. */
  constructor(
    readonly config: TextServiceConfig,
    preloaded: LoadedLm[] = [],
  ) {
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
      m = loadLm(name).then((lm) => this.serve(lm));
      this.owned.add(name);
      m.catch(() => {
        this.models.delete(name);
        this.owned.delete(name);
      });
      this.models.set(name, m);
    }
    return m;
  }

  available(): string[] {
    return [...new Set([...this.models.keys(), ...this.config.allowedModels])];
  }

  /** Sessions open, and per loaded model its step batcher's figures. */
  stats(): { sessions: number; models: Record<string, ReturnType<StepBatcher['stats']>> } {
    const models: Record<string, ReturnType<StepBatcher['stats']>> = {};
    for (const [name, served] of this.ready) models[name] = served.batcher.stats();
    return { sessions: this.sessionCount, models };
  }

  async close(): Promise<void> {
    for (const [name, p] of this.models) {
      const served = await p.catch(() => undefined);
      if (!served) continue;
      await served.batcher.close();
      if (this.owned.has(name)) {
        served.lm.stepper.dispose();
        served.lm.model.dispose();
      }
    }
    this.models.clear();
    this.ready.clear();
  }

  private serve(lm: LoadedLm): ServedModel {
    const served = { lm, batcher: new StepBatcher(lm.stepper, this.config.batching) };
    this.ready.set(lm.name, served);
    return served;
  }
}
