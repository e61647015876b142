// The recent predictions of one device (and their ground truth, for replays) in a fixed ring,
// kept per device so the dashboard can switch devices without losing history.

export class PredictionHistory {
  readonly windowEnd: Float64Array;
  /** Class index of the prediction, -1 for a label outside `classes`. */
  readonly predicted: Int16Array;
  /** Class index of the truth, -1 when absent or outside `classes`. */
  readonly truth: Int16Array;
  private head = 0;
  private count = 0;
  /** Whether any prediction so far carried a truth. */
  hasTruth = false;

  constructor(
    readonly classes: readonly string[],
    capacity = 1024,
  ) {
    this.windowEnd = new Float64Array(capacity);
    this.predicted = new Int16Array(capacity);
    this.truth = new Int16Array(capacity);
  }

  get capacity(): number {
    return this.windowEnd.length;
  }

  get size(): number {
    return this.count;
  }

  /** Physical index of the k-th oldest entry. */
  index(k: number): number {
    return (this.head - this.count + k + this.capacity) % this.capacity;
  }

  get newestTime(): number {
    return this.count === 0 ? NaN : this.windowEnd[this.index(this.count - 1)]!;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.hasTruth = false;
  }

  add(windowEnd: number, label: string, truth: string | undefined): void {
    if (this.count > 0 && windowEnd < this.newestTime - 1000) this.clear(); // device clock restarted
    this.windowEnd[this.head] = windowEnd;
    this.predicted[this.head] = this.classes.indexOf(label);
    this.truth[this.head] = truth === undefined ? -1 : this.classes.indexOf(truth);
    if (truth !== undefined) this.hasTruth = true;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }
}
