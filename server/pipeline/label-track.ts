// Ground-truth labels follow the samples onto the resampled grid: a grid point takes the label
// of the last input sample at or before it.

export class LabelTrack {
  private times: number[] = [];
  private labels: (string | undefined)[] = [];
  private head = 0;

  /** Remembers the labels of input samples (labels undefined: the frame carried none). */
  push(t: ArrayLike<number>, labels: readonly (string | undefined)[] | undefined): void {
    for (let i = 0; i < t.length; i++) {
      this.times.push(t[i]!);
      this.labels.push(labels?.[i]);
    }
  }

  /** Labels for ascending grid times; forgets inputs no later grid point can need. */
  labelsAt(gridT: ArrayLike<number>): (string | undefined)[] {
    const out = new Array<string | undefined>(gridT.length);
    let i = this.head;
    const last = this.times.length - 1;
    for (let k = 0; k < gridT.length; k++) {
      const g = gridT[k]!;
      while (i < last && this.times[i + 1]! <= g) i++;
      out[k] = i <= last && this.times[i]! <= g ? this.labels[i] : undefined;
    }
    this.head = i;
    if (this.head > 4096) this.compact();
    return out;
  }

  reset(): void {
    this.times = [];
    this.labels = [];
    this.head = 0;
  }

  private compact(): void {
    this.times = this.times.slice(this.head);
    this.labels = this.labels.slice(this.head);
    this.head = 0;
  }
}
