/**
 * torch.cuda: whether a CUDA device is usable. A CUDA backend registers devices named 'cuda:N' with the
 * runtime; until one does (or where no GPU/driver is found), isAvailable() is false and moving a tensor to
 * 'cuda' throws a DeviceError that says so.
 */
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
    getDevice(device).synchronize();
  },
};
