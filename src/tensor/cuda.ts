/**
 * torch.cuda: whether a CUDA device is usable. A CUDA backend registers devices named 'cuda:N' with the
 * runtime (src/runtime/cuda/register.ts: the real driver, or the emulator with GRAFT_CUDA_EMULATE=1); where
 * none is found, isAvailable() is false and moving a tensor to 'cuda' throws a DeviceError that says why.
 */
import { DeviceError } from '../ir/index.js';
import { CudaDevice, deviceNames, getDevice } from '../runtime/index.js';

function cudaDevices(): string[] {
  return deviceNames().filter((n) => n.startsWith('cuda:'));
}

/** The CUDA device named or numbered (default cuda:0). */
function cudaDevice(op: string, device: string | number = 0): CudaDevice {
  const name = typeof device === 'number' && Number.isInteger(device) && device >= 0 ? `cuda:${device}` : device === 'cuda' ? 'cuda:0' : device;
  if (typeof name !== 'string' || !name.startsWith('cuda')) {
    throw new DeviceError(`cuda.${op}: expected a CUDA device (a name such as 'cuda:0' or an index), got ${name === null ? 'null' : typeof name === 'string' ? `'${name}'` : String(name)}`);
  }
  const d = getDevice(name);
  if (!(d instanceof CudaDevice)) throw new DeviceError(`cuda.${op}: ${name} is not a CUDA device`);
  return d;
}

export const cuda = {
  /** Whether a CUDA device can be used. */
  isAvailable(): boolean {
    return cudaDevices().length > 0;
  },
  /** How many CUDA devices there are. */
  deviceCount(): number {
    return cudaDevices().length;
  },
  /** The device's name (the emulator calls itself 'graft CUDA emulator'). */
  getDeviceName(device: string | number = 0): string {
    return cudaDevice('getDeviceName', device).deviceName;
  },
  /** Wait for the work queued on a CUDA device. */
  synchronize(device: string | number = 'cuda:0'): void {
    if (typeof device !== 'string' && typeof device !== 'number') throw new DeviceError(`cuda.synchronize: expected a device name, got ${device === null ? 'null' : typeof device}`);
    cudaDevice('synchronize', device).synchronize();
  },
  /** Bytes of device memory held by tensors (size classes of the caching allocator). */
  memoryAllocated(device: string | number = 0): number {
    return cudaDevice('memoryAllocated', device).allocator.inUse;
  },
  /** Bytes kept by the caching allocator for reuse. */
  memoryReserved(device: string | number = 0): number {
    const d = cudaDevice('memoryReserved', device);
    return d.allocator.inUse + d.allocator.cached;
  },
  /** Give the memory kept for reuse back to the driver. */
  emptyCache(): void {
    for (const n of cudaDevices()) (getDevice(n) as CudaDevice).emptyCache();
  },
};
