// The VAE section: interpolation between two digits (frames fetched once per pair, the slider
// only picks among them), latent arithmetic a − b + c, and the 2-D VAE's latent manifold.
import { drawDigits, flattenDigit } from '../../charts/digit-image.js';
import { errorMessage, h, requireElement, setVisible, showNotice } from '../../shared/dom.js';
import { fetchPng, isModelMissing, missingModelText, vaeArithmetic, vaeInterpolate, type DigitRows } from './images-api.js';

const STEPS = 11;

export interface DigitSource {
  /** Option value -> label shown. */
  options(): { value: string; label: string }[];
  /** The digit for an option value (28 rows of 0..255), undefined when unavailable (empty pad). */
  digit(value: string): DigitRows | undefined;
}

export class VaeLab {
  private frames: Uint8Array[] = [];
  /** Problems per part (interpolation, arithmetic, manifold use two different models). */
  private readonly problems = new Map<string, string>();
  private manifoldUrl: string | undefined;
  private readonly q: <T extends HTMLElement>(sel: string) => T;

  constructor(
    private readonly root: HTMLElement,
    private readonly source: DigitSource,
  ) {
    this.q = <T extends HTMLElement>(sel: string) => requireElement<T>(sel, root);
    const selects = ['#vae-from', '#vae-to', '#vae-a', '#vae-b', '#vae-c'].map((s) => this.q<HTMLSelectElement>(s));
    const defaults = ['sample-1-0', 'sample-7-0', 'sample-9-0', 'sample-4-0', 'sample-1-0'];
    selects.forEach((select, i) => {
      select.replaceChildren(...source.options().map((o) => h('option', { value: o.value, textContent: o.label })));
      select.value = defaults[i]!;
    });
    this.q('#vae-from').addEventListener('change', () => void this.interpolate());
    this.q('#vae-to').addEventListener('change', () => void this.interpolate());
    this.q('#vae-t').addEventListener('input', () => this.showFrame());
    this.q('#vae-arith-run').addEventListener('click', () => void this.arithmetic());
  }

  async start(): Promise<void> {
    await Promise.all([this.interpolate(), this.arithmetic(), this.manifold()]);
  }

  /** Records (or with `err` undefined, clears) the problem of one part and shows them all. */
  private report(part: string, err?: unknown): void {
    if (err === undefined) this.problems.delete(part);
    else this.problems.set(part, isModelMissing(err) ? `The VAE is not available: ${missingModelText(err)}` : `${part} failed: ${errorMessage(err)}`);
    showNotice(this.q('#vae-notice'), [...new Set(this.problems.values())].join(' · '), 'warn');
  }

  async interpolate(): Promise<void> {
    const from = this.source.digit(this.q<HTMLSelectElement>('#vae-from').value);
    const to = this.source.digit(this.q<HTMLSelectElement>('#vae-to').value);
    if (!from || !to) {
      this.report('Interpolation', new Error('draw a digit first to use your drawing here'));
      return;
    }
    try {
      const answer = await vaeInterpolate(from, to, STEPS);
      this.frames = answer.images.map(flattenDigit);
      const strip = this.q<HTMLCanvasElement>('#vae-strip');
      drawDigits(strip, this.frames, 38);
      setVisible(strip, true);
      this.showFrame();
      this.report('Interpolation');
    } catch (err) {
      this.report('Interpolation', err);
    }
  }

  private showFrame(): void {
    const t = Number(this.q<HTMLInputElement>('#vae-t').value);
    this.q('#vae-t-value').textContent = t.toFixed(2);
    if (this.frames.length === 0) return;
    const k = Math.round(t * (this.frames.length - 1));
    const canvas = this.q<HTMLCanvasElement>('#vae-interp');
    drawDigits(canvas, [this.frames[k]!], 168);
    setVisible(canvas, true);
    canvas.dataset.frame = String(k);
  }

  async arithmetic(): Promise<void> {
    const [a, b, c] = ['#vae-a', '#vae-b', '#vae-c'].map((s) => this.source.digit(this.q<HTMLSelectElement>(s).value));
    if (!a || !b || !c) {
      this.report('Latent arithmetic', new Error('draw a digit first to use your drawing here'));
      return;
    }
    try {
      const answer = await vaeArithmetic(a, b, c);
      const canvas = this.q<HTMLCanvasElement>('#vae-arith');
      drawDigits(canvas, answer.images.map(flattenDigit), 84);
      setVisible(canvas, true);
      setVisible(this.q('#vae-arith-legend'), true);
      this.report('Latent arithmetic');
    } catch (err) {
      this.report('Latent arithmetic', err);
    }
  }

  async manifold(): Promise<void> {
    try {
      const { url } = await fetchPng('/api/vae/manifold?size=15&format=png');
      if (this.manifoldUrl) URL.revokeObjectURL(this.manifoldUrl);
      this.manifoldUrl = url;
      const img = this.q<HTMLImageElement>('#vae-manifold');
      img.src = url;
      setVisible(img, true);
      this.report('The manifold');
    } catch (err) {
      this.report('The manifold', err);
    }
  }
}
