// A continuous cache of what one writer typed (Grave, Joulin & Usunier 2017, "Improving neural
// language models with a continuous cache"): pairs (h_i, w_i) of the model's feature vector
// before the writer's token i and the token itself, over a bounded window of their latest
// tokens. A new context h is compared with every stored one, and the tokens that followed
// similar contexts get p(w) ∝ Σ_{i: w_i = w} exp(θ h·h_i). Like the writer model's n-gram
// caches it only holds what the caller pushed (a session pushes committed tokens, eval pushes a
// token after it was scored), but it also generalises to contexts that are similar, not equal.

/** Tokens a neural cache keeps by default (eval --adapt's and the server's per-writer bound). */
export const DEFAULT_NEURAL_CACHE_TOKENS = 500;

/** A key for an entry without a vector or a token (kept so that pops stay in step with pushes). */
const NONE = -1;

/** Rows allocated at first; the buffers double as the writer types. */
const INITIAL_CAPACITY = 32;

export class NeuralCache {
  /**
   * Ring buffer of vectors, `capacity` rows of `dim` floats. It grows (doubling) up to `window`
   * rows as the writer types, so a short session does not hold a full window (500 x 256 floats).
   */
  private vectors: Float32Array;
  private keys: Int32Array;
  private capacity: number;
  /** Row of the oldest entry, and entries held. */
  private start = 0;
  private count = 0;
  private matchable = 0;
  private scores: Float64Array;

  constructor(
    readonly dim: number,
    readonly window: number = DEFAULT_NEURAL_CACHE_TOKENS,
  ) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a whole number >= 1 (got ${dim})`);
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a whole number >= 1 (got ${window})`);
    this.capacity = Math.min(window, INITIAL_CAPACITY);
    this.vectors = new Float32Array(this.capacity * dim);
    this.keys = new Int32Array(this.capacity);
    this.scores = new Float64Array(this.capacity);
  }

  /** Entries held (at most `window`), with or without a vector. */
  get size(): number {
    return this.count;
  }

  /** Entries that can be matched (a vector and a token key). */
  get usable(): number {
    return this.matchable;
  }

  /**
   * Adds the newest entry: `key` (a writer-model key, < 0 for none) was typed where the model's
   * feature vector was `vector` (undefined when unknown: the entry only keeps pops in step).
   * The oldest entry leaves once the window is full.
   */
  push(vector: ArrayLike<number> | undefined, key: number): void {
    if (vector && vector.length !== this.dim) throw new RangeError(`vector has ${vector.length} floats; the cache holds ${this.dim}`);
    if (this.count === this.capacity && this.capacity < this.window) this.grow();
    const slot = (this.start + this.count) % this.window;
    if (this.count === this.window) {
      if (this.keys[slot]! !== NONE) this.matchable--;
      this.start = (this.start + 1) % this.window;
    } else this.count++;
    const usable = vector !== undefined && key >= 0;
    this.keys[slot] = usable ? key : NONE;
    if (usable) {
      this.vectors.set(vector, slot * this.dim);
      this.matchable++;
    }
  }

  /** Removes the newest entry (the reverse of push, unless the window had overflowed). */
  pop(): void {
    if (this.count === 0) return;
    this.count--;
    if (this.keys[(this.start + this.count) % this.window]! !== NONE) this.matchable--;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
    this.matchable = 0;
  }

  /** Doubles the buffers (up to the window). Before the window is full nothing was evicted, so the entries start at row 0. */
  private grow(): void {
    this.capacity = Math.min(this.window, this.capacity * 2);
    const vectors = new Float32Array(this.capacity * this.dim);
    vectors.set(this.vectors);
    this.vectors = vectors;
    const keys = new Int32Array(this.capacity);
    keys.set(this.keys);
    this.keys = keys;
    this.scores = new Float64Array(this.capacity);
  }

  /**
   * Adds `weight * p_cache(key | query)` to `out[key]` for the keys of the cache, with
   * p_cache(w) ∝ Σ_{i: w_i = w} exp(theta * query·h_i); returns the entries that took part.
   */
  addTo(out: Float64Array, query: ArrayLike<number>, theta: number, weight: number): number {
    const dim = this.dim;
    if (query.length !== dim) throw new RangeError(`query has ${query.length} floats; the cache holds ${dim}`);
    if (this.matchable === 0 || weight === 0) return this.matchable;
    const v = this.vectors;
    const keys = this.keys;
    const scores = this.scores;
    // The entries occupy slots [start, start + count) modulo the window: at most two runs.
    const end = this.start + this.count;
    const runs = end <= this.window ? [this.start, end] : [this.start, this.window, 0, end - this.window];
    let best = -Infinity;
    for (let r = 0; r < runs.length; r += 2) {
      for (let slot = runs[r]!; slot < runs[r + 1]!; slot++) {
        if (keys[slot]! === NONE) continue;
        let dot = 0;
        const o = slot * dim;
        for (let j = 0; j < dim; j++) dot += query[j]! * v[o + j]!;
        const s = theta * dot;
        scores[slot] = s;
        if (s > best) best = s;
      }
    }
    // Softmax over the entries, shifted by the best score so exp never overflows.
    let total = 0;
    for (let r = 0; r < runs.length; r += 2) {
      for (let slot = runs[r]!; slot < runs[r + 1]!; slot++) {
        if (keys[slot]! === NONE) continue;
        const e = Math.exp(scores[slot]! - best);
        scores[slot] = e;
        total += e;
      }
    }
    const scale = weight / total;
    for (let r = 0; r < runs.length; r += 2) {
      for (let slot = runs[r]!; slot < runs[r + 1]!; slot++) {
        const key = keys[slot]!;
        if (key !== NONE) out[key]! += scale * scores[slot]!;
      }
    }
    return this.matchable;
  }
}
