// Image lab: draw a digit (classified by the server's MNIST CNN, with its first-layer feature
// maps), a convolution playground, the VAE (interpolation, latent arithmetic, 2-D manifold) and
// GAN / conditional GAN sample grids.
import { MNIST_SAMPLES } from 'virtual:mnist-samples';
import { base64Digit, digitRows } from '../../charts/digit-image.js';
import { drawMatrix, toMatrix } from '../../charts/matrix-view.js';
import { errorMessage, h, requireElement, showNotice } from '../../shared/dom.js';
import { mountPageShell } from '../../shared/page-shell.js';
import { ConvPlayground } from './conv-playground.js';
import { DigitClassifier } from './digit-classifier.js';
import { DrawPad } from './draw-pad.js';
import { GanLab } from './gan-lab.js';
import type { DigitRows } from './images-api.js';
import './lab.css';
import { canvasGray, MNIST_SIZE, toMnist } from './mnist-preprocess.js';
import { VaeLab, type DigitSource } from './vae-lab.js';

mountPageShell('lab');
const notice = requireElement('#lab-notice');
const inputPreview = requireElement<HTMLCanvasElement>('#digit-input');
const sampleSelect = requireElement<HTMLSelectElement>('#draw-sample');

/** The latest drawing in MNIST form (28×28, 0..1), or undefined for an empty pad. */
let digit: Float32Array | undefined;
const drawingRows = (): DigitRows | undefined => (digit ? digitRows(Array.from(digit, (v) => Math.round(v * 255))) : undefined);

// Real MNIST test digits, built in (client/scripts/mnist-samples-plugin.ts).
const samples = MNIST_SAMPLES.map((s, i) => ({
  value: `sample-${s.label}-${MNIST_SAMPLES.slice(0, i).filter((o) => o.label === s.label).length}`,
  label: s.label,
  pixels: base64Digit(s.pixels),
}));
const samplesByValue = new Map(samples.map((s) => [s.value, s]));
const sampleLabel = (s: (typeof samples)[number]) => `digit ${s.label} (MNIST #${Number(s.value.split('-')[2]) + 1})`;
sampleSelect.append(...samples.map((s) => h('option', { value: s.value, textContent: sampleLabel(s) })));

const pad = new DrawPad(requireElement<HTMLCanvasElement>('#draw-pad'), () => onDrawingChanged());
const classifier = new DigitClassifier(requireElement('#digit'), requireElement('#digit-notice'));
const playground = new ConvPlayground(requireElement('#conv'), () =>
  digit
    ? toMatrix(
        Array.from(digit, (v) => Math.round(v * 255)),
        MNIST_SIZE,
        MNIST_SIZE,
      )
    : undefined,
);

requireElement('#draw-clear').addEventListener('click', () => {
  pad.clear();
  sampleSelect.value = '';
  onDrawingChanged();
});
sampleSelect.addEventListener('change', () => {
  const s = samplesByValue.get(sampleSelect.value);
  if (!s) return;
  pad.clear();
  pad.drawImage(
    Array.from(s.pixels, (v) => v / 255),
    MNIST_SIZE,
    MNIST_SIZE,
  );
  onDrawingChanged();
});

function onDrawingChanged(): void {
  try {
    digit = toMnist(canvasGray(pad.canvas));
    drawMatrix(inputPreview, toMatrix(digit ?? new Float32Array(MNIST_SIZE * MNIST_SIZE), MNIST_SIZE, MNIST_SIZE), {
      maxSize: 140,
      numbers: false,
      range: { min: 0, max: 1 },
    });
    playground.schedule();
    void classifier.classify(drawingRows());
  } catch (err) {
    showNotice(notice, errorMessage(err), 'error');
  }
}

const digitSource: DigitSource = {
  options: () => [{ value: 'drawing', label: 'your drawing' }, ...samples.map((s) => ({ value: s.value, label: sampleLabel(s) }))],
  digit: (value) => {
    if (value === 'drawing') return drawingRows();
    const s = samplesByValue.get(value);
    return s ? digitRows(s.pixels) : undefined;
  },
};

onDrawingChanged();
void new VaeLab(requireElement('#vae'), digitSource).start();
void new GanLab(requireElement('#gan')).sample();
