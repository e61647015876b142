// GAN samples: a grid from the DCGAN, or from the conditional GAN for one chosen digit (or all
// ten in columns). Each click draws a new seed; the seed is shown so a grid can be reproduced.
import { errorMessage, h, requireElement, setVisible, showNotice } from '../../shared/dom.js';
import { fetchPng, isModelMissing, missingModelText } from './images-api.js';

export class GanLab {
  private readonly model: HTMLSelectElement;
  private readonly label: HTMLSelectElement;
  private readonly grid: HTMLImageElement;
  private readonly seedText: HTMLElement;
  private readonly notice: HTMLElement;
  private url: string | undefined;

  constructor(root: HTMLElement) {
    this.model = requireElement<HTMLSelectElement>('#gan-model', root);
    this.label = requireElement<HTMLSelectElement>('#gan-label', root);
    this.grid = requireElement<HTMLImageElement>('#gan-grid', root);
    this.seedText = requireElement('#gan-seed', root);
    this.notice = requireElement('#gan-notice', root);
    this.model.replaceChildren(h('option', { value: 'cgan', textContent: 'conditional GAN (cgan)' }), h('option', { value: 'dcgan', textContent: 'DCGAN (no labels)' }));
    this.label.replaceChildren(
      h('option', { value: '', textContent: 'all digits, one per column' }),
      ...Array.from({ length: 10 }, (_, d) => h('option', { value: String(d), textContent: String(d) })),
    );
    this.model.addEventListener('change', () => {
      this.label.disabled = this.model.value !== 'cgan';
      void this.sample();
    });
    this.label.addEventListener('change', () => void this.sample());
    requireElement('#gan-run', root).addEventListener('click', () => void this.sample());
  }

  async sample(): Promise<void> {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const path =
      this.model.value === 'cgan' ? `/api/gan/cgan/sample?n=30&seed=${seed}${this.label.value ? `&label=${this.label.value}` : ''}&format=png` : `/api/gan/dcgan/sample?n=30&seed=${seed}&format=png`;
    try {
      const { url } = await fetchPng(path);
      if (this.url) URL.revokeObjectURL(this.url);
      this.url = url;
      this.grid.src = url;
      setVisible(this.grid, true);
      const what = this.model.value === 'cgan' ? (this.label.value ? `digit ${this.label.value}` : 'digits 0–9 by column') : 'unconditional';
      this.grid.alt = `30 generated digits (${this.model.value}, ${what})`;
      this.seedText.textContent = `seed ${seed}`;
      this.grid.dataset.seed = String(seed);
      showNotice(this.notice, '');
    } catch (err) {
      setVisible(this.grid, false);
      showNotice(this.notice, isModelMissing(err) ? `This GAN is not available: ${missingModelText(err)}` : `Sampling failed: ${errorMessage(err)}`, 'warn');
    }
  }
}
