/**
 * torch.cuda: whether a CUDA device is usable. A CUDA backend registers devices named 'cuda:N' with the
 * runtime; until one does (or where no GPU/driver is found), isAvailable() is false and moving a tensor to
 * 'cuda' throws a DeviceError that says so.
 */
import { DeviceError } from '../ir/index.js';
import { deviceNames, getDevice } from '../runtime/index.js';

function cudaDevices(): string[] {
  return deviceNames().filter((n) => n.startsWith('cuda:'));
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
  /** Wait for the work queued on a CUDA device. */
  synchronize(device = 'cuda:0'): void {
    if (typeof device !== 'string') throw new DeviceError(`cuda.synchronize: expected a device name, got ${device === null ? 'null' : typeof device}`);
    getDevice(device).synchronize();
  },
};
