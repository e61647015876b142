// Running accuracy and confusion matrix for devices that send ground truth (replays).
// Rows are truths: the model's classes plus 'stairs' (datasets that do not tell up from down;
// the server passes it through as a window's truth), where predicting upstairs or downstairs
// counts as correct. Any other truth is counted as ignored.

const STAIRS = 'stairs';
const STAIRS_CLASSES = ['upstairs', 'downstairs'];

export class ConfusionCounts {
  /** Row labels: classes, then 'stairs'. */
  readonly truths: readonly string[];
  /** counts[truthIndex * classes.length + predictedIndex] */
  readonly counts: Uint32Array;
  ignored = 0;
  total = 0;
  correct = 0;

  constructor(readonly classes: readonly string[]) {
    this.truths = [...classes, STAIRS];
    this.counts = new Uint32Array(this.truths.length * classes.length);
  }

  get accuracy(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }

  add(truth: string, predicted: string): void {
    const t = this.truths.indexOf(truth);
    const p = this.classes.indexOf(predicted);
    if (t < 0 || p < 0) {
      this.ignored++;
      return;
    }
    this.counts[t * this.classes.length + p]!++;
    this.total++;
    if (truth === predicted || (truth === STAIRS && STAIRS_CLASSES.includes(predicted))) this.correct++;
  }

  /** Windows with this truth so far. */
  rowTotal(t: number): number {
    const k = this.classes.length;
    let n = 0;
    for (let p = 0; p < k; p++) n += this.counts[t * k + p]!;
    return n;
  }

  reset(): void {
    this.counts.fill(0);
    this.ignored = 0;
    this.total = 0;
    this.correct = 0;
  }
}

/** Renders counts as an accessible table (rows: truth, columns: predicted), shaded by row share. */
export function renderConfusionTable(table: HTMLTableElement, cm: ConfusionCounts): void {
  const k = cm.classes.length;
  if (table.tBodies.length === 0) buildSkeleton(table, cm);
  const body = table.tBodies[0]!;
  for (let t = 0; t < cm.truths.length; t++) {
    const row = body.rows[t]!;
    const rowTotal = cm.rowTotal(t);
    // The 'stairs' row only when such windows exist.
    row.classList.toggle('hidden', cm.truths[t] === STAIRS && rowTotal === 0);
    for (let p = 0; p < k; p++) {
      const n = cm.counts[t * k + p]!;
      const cell = row.cells[p + 1]!;
      const text = String(n);
      if (cell.textContent !== text) cell.textContent = text;
      const share = rowTotal === 0 ? 0 : n / rowTotal;
      const correct = cm.truths[t] === cm.classes[p] || (cm.truths[t] === STAIRS && STAIRS_CLASSES.includes(cm.classes[p]!));
      // Correct cells blue, errors red; white text on dark cells keeps the contrast.
      const rgb = correct ? '28, 91, 184' : '164, 22, 26';
      cell.style.background = n === 0 ? '' : `rgba(${rgb}, ${(0.12 + 0.78 * share).toFixed(2)})`;
      cell.style.color = share > 0.5 ? '#ffffff' : '';
    }
  }
}

function buildSkeleton(table: HTMLTableElement, cm: ConfusionCounts): void {
  table.replaceChildren();
  const caption = table.createCaption();
  caption.textContent = 'Confusion matrix: rows are the true activity, columns the predicted one';
  caption.className = 'visually-hidden';
  const head = table.createTHead().insertRow();
  const corner = document.createElement('th');
  corner.textContent = 'truth \\ predicted';
  head.append(corner);
  for (const c of cm.classes) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  for (const truth of cm.truths) {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = truth;
    row.append(th);
    for (let i = 0; i < cm.classes.length; i++) row.insertCell();
  }
}
