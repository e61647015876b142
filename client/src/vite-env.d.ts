// Vite's client types: CSS and asset imports, import.meta.env.
/// <reference types="vite/client" />

/** Real MNIST test digits baked in at build time (client/scripts/mnist-samples-plugin.ts). */
declare module 'virtual:mnist-samples' {
  /** `pixels`: base64 of 784 bytes, row-major 28×28, 0 = background, 255 = ink. */
  export const MNIST_SAMPLES: readonly { label: number; pixels: string }[];
}
