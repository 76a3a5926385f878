/**
 * Which CUDA driver graft uses, and the `cuda:N` devices it registers: the emulator when GRAFT_CUDA_EMULATE=1,
 * else the real driver when it loads (libcuda.so.1 and NVRTC through the addon). Probed once, on the first
 * question about devices (`torch.cuda.isAvailable()`, a device name), so a process that never asks loads
 * nothing, and a test may set GRAFT_CUDA_EMULATE before its first question.
 */
import { registerDevice } from '../device.js';
import type { DriverOrReason } from './driver.js';
import { openEmulatedDriver } from './driver-emulated.js';
import { CudaDevice } from './device.js';

/**
 * THE place the real driver plugs in: `src/runtime/cuda/driver-native.ts` (`openNativeDriver()`) sets this
 * hook when it is loaded (see the import in src/runtime/index.ts after the merge with the driver's branch).
 */
export const nativeDriverHook: { open: (() => DriverOrReason) | null } = { open: null };

let probed: { names: string[]; reason: string | null } | null = null;

/** The driver to use, or why there is none. */
export function openCudaDriver(): DriverOrReason {
  if (process.env.GRAFT_CUDA_EMULATE === '1') return openEmulatedDriver();
  if (nativeDriverHook.open) return nativeDriverHook.open();
  return { reason: 'graft was built without the CUDA driver (set GRAFT_CUDA_EMULATE=1 for the emulator)' };
}

/** Register `cuda:N` for every device of the driver (once per process, or again after `resetCudaProbe`). */
export function probeCuda(): { names: string[]; reason: string | null } {
  if (probed) return probed;
  const d = openCudaDriver();
  if ('reason' in d) {
    probed = { names: [], reason: d.reason };
    return probed;
  }
  const names: string[] = [];
  for (let i = 0; i < d.driver.deviceCount(); i++) {
    const name = `cuda:${i}`;
    registerDevice(name, () => new CudaDevice(name, d.driver, i));
    names.push(name);
  }
  probed = { names, reason: null };
  return probed;
}

/** Probe again on the next question (tests switching GRAFT_CUDA_EMULATE). Registered devices stay. */
export function resetCudaProbe(): void {
  probed = null;
}
