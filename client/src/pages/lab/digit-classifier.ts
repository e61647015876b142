// Classifies the drawn digit with the server's MNIST CNN and shows the class probabilities and
// the first conv layer's feature maps (all on one scale, so strong and weak filters compare).
import { drawMatrix } from '../../charts/matrix-view.js';
import { ProbabilityChart } from '../../charts/probability-chart.js';
import { errorMessage, h, requireElement, showNotice } from '../../shared/dom.js';
import { classifyDigit, isModelMissing, missingModelText, type ClassifyResponse, type DigitRows } from './images-api.js';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const MAP_SIZE = 72;

export class DigitClassifier {
  private readonly probs: ProbabilityChart;
  private readonly result: HTMLElement;
  private readonly maps: HTMLElement;
  private readonly mapInfo: HTMLElement;
  /** Requests are numbered so a slow answer never overwrites a newer one. */
  private latest = 0;

  constructor(
    root: HTMLElement,
    private readonly notice: HTMLElement,
  ) {
    this.probs = new ProbabilityChart(requireElement<HTMLCanvasElement>('#digit-probs', root), DIGITS, {
      colors: DIGITS.map(() => '#1c5bb8'),
    });
    this.result = requireElement('#digit-result', root);
    this.maps = requireElement('#feature-maps', root);
    this.mapInfo = requireElement('#feature-info', root);
  }

  async classify(image: DigitRows | undefined): Promise<void> {
    const id = ++this.latest;
    if (!image) {
      this.probs.update(DIGITS.map(() => 0));
      this.result.textContent = '';
      this.result.removeAttribute('data-label');
      this.maps.replaceChildren();
      this.mapInfo.textContent = '';
      return;
    }
    this.result.textContent = '…';
    try {
      const answer = await classifyDigit(image);
      if (id !== this.latest) return;
      this.show(answer);
      showNotice(this.notice, '');
    } catch (err) {
      if (id !== this.latest) return;
      this.result.textContent = '';
      showNotice(
        this.notice,
        isModelMissing(err) ? `The digit classifier is not available: ${missingModelText(err)}` : `Classification failed: ${errorMessage(err)}`,
        isModelMissing(err) ? 'warn' : 'error',
      );
    }
  }

  private show(answer: ClassifyResponse): void {
    this.probs.update(answer.probabilities);
    const p = answer.probabilities[answer.label] ?? 0;
    this.result.textContent = `→ ${answer.label} (${Math.round(p * 100)}%)`;
    this.result.dataset.label = String(answer.label);
    const fm = answer.featureMaps;
    if (!fm) return;
    let max = 0;
    for (const m of fm.maps) for (const row of m) for (const v of row) if (v > max) max = v;
    this.mapInfo.textContent = `(${fm.layer}: ${fm.count} filters, ${fm.height}×${fm.width} each; white = strongest response)`;
    this.maps.replaceChildren(
      ...fm.maps.map((m, i) => {
        const canvas = h('canvas', { role: 'img', 'aria-label': `filter ${i + 1}` });
        drawMatrix(canvas, m, { maxSize: MAP_SIZE, numbers: false, range: { min: 0, max: max || 1 } });
        return h('figure', {}, canvas, h('figcaption', { textContent: String(i + 1) }));
      }),
    );
  }
}
