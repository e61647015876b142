// The WebGPU backend in Node: Dawn (npm `webgpu`, a prebuilt dawn.node) under tfjs-backend-webgpu.
// On Linux Dawn talks to the GPU through Vulkan, so it needs the Vulkan loader (libvulkan.so.1)
// and a driver (an ICD json naming the vendor's library). Without a GPU, Chromium's SwiftShader
// (a software Vulkan driver, with its own loader in /usr/lib/chromium) runs the same code slowly:
// good for proving correctness (tests, CI), never chosen by `auto`.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the adapter says about itself (GPUAdapterInfo), plus whether it is a software fallback. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a software adapter (SwiftShader): correct but slow. */
  fallback: boolean;
}

export interface WebgpuActivation {
  adapter: AdapterSummary;
  /** Which Vulkan driver files were in use (VK_ICD_FILENAMES or the system's), for the log. */
  drivers: string[];
}

/** Debian's chromium package: SwiftShader's Vulkan driver and the Vulkan loader it ships. */
export const CHROMIUM_DIR = '/usr/lib/chromium';
const CHROMIUM_SWIFTSHADER_ICD = path.join(CHROMIUM_DIR, 'vk_swiftshader_icd.json');
const CHROMIUM_VULKAN_LOADER = path.join(CHROMIUM_DIR, 'libvulkan.so.1');
/** Where the Vulkan loader looks for drivers when VK_ICD_FILENAMES / VK_DRIVER_FILES are unset. */
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];
/** glibc's RTLD_NODELETE (not in os.constants.dlopen): keep the library loaded after process.dlopen gives up on it. */
const RTLD_NODELETE = 0x1000;

export const WEBGPU_INSTALL_ADVICE =
  "install a Vulkan driver: on a GPU machine the vendor's (e.g. NVIDIA's driver with its Vulkan ICD, or `apt-get install mesa-vulkan-drivers libvulkan1` for AMD/Intel); " +
  'without a GPU, `apt-get install chromium` brings SwiftShader (software, slow), which `--backend webgpu` finds by itself';

export class WebgpuUnavailableError extends Error {}

/**
 * Creates a Dawn device and registers it as tfjs's 'webgpu' backend (not yet selected).
 * allowSoftware: accept a fallback adapter and, when no Vulkan driver is configured, use
 * Chromium's SwiftShader (said through `log`). Throws WebgpuUnavailableError saying what is
 * missing; in that case Dawn was either never loaded or holds no device.
 */
export async function registerWebgpuBackend(allowSoftware: boolean, log: (msg: string) => void): Promise<WebgpuActivation> {
  let drivers: string[] = [];
  if (process.platform === 'linux') drivers = prepareVulkan(allowSoftware, log);
  // Dawn's Vulkan backend is quiet with a runtime dir; without one the loader warns on stderr.
  process.env.XDG_RUNTIME_DIR ||= os.tmpdir();

  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (err) {
    throw new WebgpuUnavailableError(`the webgpu package (dawn.node) did not load: ${firstLine(err)}`);
  }
  Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, ... as in a browser
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebgpuUnavailableError(`Dawn found no GPU adapter (Vulkan drivers: ${drivers.join(', ') || 'none'}); ${WEBGPU_INSTALL_ADVICE}`);
  const summary = summarize(adapter.info);
  if (summary.fallback && !allowSoftware) {
    throw new WebgpuUnavailableError(`only a software adapter (${summary.description || summary.architecture}), which auto never picks; --backend webgpu forces it`);
  }
  // The same device request as tfjs-backend-webgpu's own registration (its defaults are too small
  // for batch-256 buffers), with the adapter we checked instead of one it picks itself.
  const limits = adapter.limits;
  const features: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      // AddN binds every input as a storage buffer; WebGPU's default of 8 is too few for
      // clipping gradients by global norm (one input per variable).
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
  chunkAddN(limits.maxStorageBuffersPerShaderStage - 1);
  // WebGPUBackend checks navigator.gpu (Node 20 has no navigator). Node exits normally with it set.
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  if (tf.engine().registryFactory['webgpu']) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => withClearSyncReadError(new WebGPUBackend(device, adapter.info)), 3);
  return { adapter: summary, drivers };
}

/**
 * tfjs-backend-webgpu's AddN binds all its inputs (plus the output) in one shader: with more inputs
 * than the device allows, the pipeline is invalid, Dawn only logs a validation error and the sum
 * comes out wrong. Sum in chunks of at most `maxInputs` instead (once per process).
 */
function chunkAddN(maxInputs: number): void {
  const original = tf.getKernel('AddN', 'webgpu');
  if (!original || (original as { chunked?: boolean }).chunked || maxInputs < 2) return;
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    let tensors = Object.values(inputs) as tf.TensorInfo[];
    const partials: tf.TensorInfo[] = [];
    while (tensors.length > maxInputs) {
      const sums: tf.TensorInfo[] = [];
      for (let i = 0; i < tensors.length; i += maxInputs) {
        const chunk = tensors.slice(i, i + maxInputs);
        sums.push(chunk.length === 1 ? chunk[0]! : (original.kernelFunc({ inputs: asInputs(chunk), backend, attrs }) as tf.TensorInfo));
      }
      partials.push(...sums.filter((t) => !tensors.includes(t)));
      tensors = sums;
    }
    const out = original.kernelFunc({ inputs: asInputs(tensors), backend, attrs }) as tf.TensorInfo;
    for (const t of partials) (backend as tf.KernelBackend).disposeData(t.dataId);
    return out;
  };
  // tf.addN hands the kernel its tensors as an array (typed as a map).
  const asInputs = (list: tf.TensorInfo[]) => list as unknown as tf.NamedTensorInfoMap;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...original, kernelFunc, chunked: true } as tf.KernelConfig);
}

/**
 * tfjs-backend-webgpu reads GPU data synchronously through OffscreenCanvas, which Node lacks, so
 * dataSync()/arraySync() of a GPU tensor fails with "OffscreenCanvas is not defined". Say what to
 * do instead. (Data still on the CPU reads fine.)
 */
function withClearSyncReadError<B extends tf.KernelBackend>(backend: B): B {
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId) => {
    try {
      return readSync(dataId);
    } catch (err) {
      if (err instanceof ReferenceError && /OffscreenCanvas/.test(err.message)) {
        throw new Error('dataSync()/arraySync() cannot read GPU tensors on the webgpu backend in Node: use await data() / array()');
      }
      throw err;
    }
  };
  return backend;
}

function summarize(info: GPUAdapterInfo): AdapterSummary {
  const i = info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  return {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    device: i.device ?? '',
    description: i.description ?? '',
    fallback: Boolean(i.isFallbackAdapter),
  };
}

/**
 * Makes sure Dawn will find a Vulkan loader and a driver. Returns the driver files in use.
 * Software drivers (SwiftShader, lavapipe) count only when allowSoftware.
 */
function prepareVulkan(allowSoftware: boolean, log: (msg: string) => void): string[] {
  const configured = configuredIcds();
  let drivers = configured ?? systemIcds();
  const hardware = drivers.filter((f) => !isSoftwareIcd(f));
  if (!allowSoftware && hardware.length === 0) {
    throw new WebgpuUnavailableError(
      drivers.length
        ? `only software Vulkan drivers (${drivers.join(', ')}), which auto never picks; --backend webgpu forces them`
        : `no Vulkan driver (no ICD in ${ICD_DIRS.join(', ')}); ${WEBGPU_INSTALL_ADVICE}`,
    );
  }
  if (drivers.length === 0) {
    if (!existsSync(CHROMIUM_SWIFTSHADER_ICD))
      throw new WebgpuUnavailableError(`no Vulkan driver (no ICD in ${ICD_DIRS.join(', ')}, VK_ICD_FILENAMES unset) and no Chromium SwiftShader; ${WEBGPU_INSTALL_ADVICE}`);
    process.env.VK_ICD_FILENAMES = CHROMIUM_SWIFTSHADER_ICD; // the loader reads it when Dawn creates its instance
    drivers = [CHROMIUM_SWIFTSHADER_ICD];
    log(`webgpu: no Vulkan driver configured; using Chromium's SwiftShader (software, slow) from ${CHROMIUM_SWIFTSHADER_ICD}`);
  }
  loadVulkanLoader();
  return drivers;
}

/** Whether `--backend webgpu` can find a Vulkan driver here (configured, installed, or Chromium's SwiftShader). */
export function vulkanDriverFindable(): boolean {
  return (configuredIcds() ?? systemIcds()).length > 0 || existsSync(CHROMIUM_SWIFTSHADER_ICD);
}

/** Drivers named by the environment (undefined: the loader searches the system directories). */
function configuredIcds(): string[] | undefined {
  const v = process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES;
  return v ? v.split(':').filter(Boolean) : undefined;
}

function systemIcds(): string[] {
  const dirs = [
    ...ICD_DIRS,
    ...(process.env.XDG_DATA_DIRS ?? '')
      .split(':')
      .filter(Boolean)
      .map((d) => path.join(d, 'vulkan/icd.d')),
  ];
  const files: string[] = [];
  for (const dir of new Set(dirs)) {
    try {
      for (const f of readdirSync(dir)) if (f.endsWith('.json')) files.push(path.join(dir, f));
    } catch {
      // no such directory
    }
  }
  return files;
}

/** SwiftShader and Mesa's lavapipe are CPU renderers; the library path inside the ICD json says which. */
export function isSoftwareIcd(file: string): boolean {
  let library = '';
  try {
    library = String((JSON.parse(readFileSync(file, 'utf8')) as { ICD?: { library_path?: string } }).ICD?.library_path ?? '');
  } catch {
    // unreadable: judge by the file name
  }
  return /swiftshader|lvp|lavapipe|llvmpipe/i.test(`${path.basename(file)} ${library}`);
}

/**
 * Dawn dlopen()s "libvulkan.so.1". When the system has none (no libvulkan1 package), Chromium's
 * copy of the loader does the same job: loading it first under its soname makes Dawn's dlopen find
 * it. process.dlopen loads any shared library but then rejects it as "not a Node module" and
 * closes it; RTLD_NODELETE keeps it in the process.
 */
function loadVulkanLoader(): void {
  const failure = dlopenKeep('libvulkan.so.1');
  if (!failure) return;
  if (existsSync(CHROMIUM_VULKAN_LOADER) && !dlopenKeep(CHROMIUM_VULKAN_LOADER)) return;
  throw new WebgpuUnavailableError(`no Vulkan loader (${failure}); \`apt-get install libvulkan1\` (or chromium, which ships one), and ${WEBGPU_INSTALL_ADVICE}`);
}

/** undefined when the library is now loaded, else why not. */
function dlopenKeep(file: string): string | undefined {
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, file, os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
    return undefined;
  } catch (err) {
    const message = firstLine(err);
    return /did not self-register|Module did not|napi/i.test(message) ? undefined : message;
  }
}

function firstLine(err: unknown): string {
  const s = err instanceof Error ? err.message : String(err);
  return s.split('\n')[0] ?? s;
}
