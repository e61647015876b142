// Image lab: draw a digit (classified by the server's MNIST CNN, with its first-layer feature
// maps), a convolution playground, the VAE (interpolation, latent arithmetic, 2-D manifold) and
// GAN / conditional GAN sample grids.
import { errorMessage, requireElement, showNotice } from '../../shared/dom.js';
import { mountPageShell } from '../../shared/page-shell.js';
import { drawMatrix, toMatrix } from '../../charts/matrix-view.js';
import { ConvPlayground } from './conv-playground.js';
import { DrawPad } from './draw-pad.js';
import { canvasGray, MNIST_SIZE, toMnist } from './mnist-preprocess.js';
import './lab.css';

mountPageShell('lab');
const notice = requireElement('#lab-notice');
const inputPreview = requireElement<HTMLCanvasElement>('#digit-input');

/** The latest drawing in MNIST form (28×28, 0..1), or undefined for an empty pad. */
let digit: Float32Array | undefined;

const pad = new DrawPad(requireElement<HTMLCanvasElement>('#draw-pad'), () => onDrawingChanged());
requireElement('#draw-clear').addEventListener('click', () => {
  pad.clear();
  onDrawingChanged();
});

const playground = new ConvPlayground(requireElement('#conv'), () =>
  digit ? toMatrix(Array.from(digit, (v) => Math.round(v * 255)), MNIST_SIZE, MNIST_SIZE) : undefined,
);

function onDrawingChanged(): void {
  try {
    digit = toMnist(canvasGray(pad.canvas));
    drawMatrix(inputPreview, toMatrix(digit ?? new Float32Array(MNIST_SIZE * MNIST_SIZE), MNIST_SIZE, MNIST_SIZE), {
      maxSize: 140,
      numbers: false,
      range: { min: 0, max: 1 },
    });
    playground.schedule();
  } catch (err) {
    showNotice(notice, errorMessage(err), 'error');
  }
}

onDrawingChanged();
