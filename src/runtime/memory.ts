/**
 * Accounting of live device memory, for `torch.memory()`. Buffers are counted when made and uncounted when
 * garbage-collected (host memory is a V8 ArrayBuffer: V8 frees it; the count follows V8's collections, so
 * memory that is unreachable but not yet collected still counts).
 */
import { DTYPE_INFO, type DType } from '../ir/index.js';

export interface DeviceMemory {
  buffers: number;
  bytes: number;
}

const live = new Map<string, DeviceMemory>();
const registry = new FinalizationRegistry<{ device: string; bytes: number }>(({ device, bytes }) => {
  const m = live.get(device);
  if (m) {
    m.buffers--;
    m.bytes -= bytes;
  }
});

/** @internal Count a new buffer until it is collected. */
export function trackBuffer(owner: object, device: string, dtype: DType, size: number): void {
  const bytes = size * DTYPE_INFO[dtype].bytes;
  let m = live.get(device);
  if (!m) {
    m = { buffers: 0, bytes: 0 };
    live.set(device, m);
  }
  m.buffers++;
  m.bytes += bytes;
  registry.register(owner, { device, bytes });
}

/** Live buffers and bytes per device. */
export function deviceMemory(): Record<string, DeviceMemory> {
  return Object.fromEntries([...live].map(([d, m]) => [d, { ...m }]));
}
