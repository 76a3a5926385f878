/**
 * Accounting of live device memory, for `torch.memory()`. Host buffers (cpu, interp) are counted by the
 * addon's allocator: a buffer counts from its allocation until V8 collects its memory (during the
 * collection, so the figures are exact after a GC, also inside synchronous loops).
 */
import { hostMemoryStats } from './host-memory.js';

export interface DeviceMemory {
  buffers: number;
  bytes: number;
}

/** Live buffers and bytes per device. */
export function deviceMemory(): Record<string, DeviceMemory> {
  return hostMemoryStats().devices;
}
