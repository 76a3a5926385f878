/**
 * torch.memory(): what is alive — tensors, IR nodes, and buffers per device. The figures are exact: the
 * tensor and node counts come from V8's heap after a full garbage collection (so a call costs a collection
 * and a heap walk, milliseconds: call it to watch memory, not in a hot loop), and buffer figures from the
 * allocator, which V8 tells of every buffer it collects.
 */
import { Node } from '../ir/index.js';
import { countLiveObjects, deviceMemory, hostMemoryStats, type DeviceMemory } from '../runtime/index.js';
import { Tensor } from './tensor.js';

export interface MemoryReport {
  /** Tensor objects alive. */
  tensors: number;
  /** IR nodes alive (pending graphs and the nodes tensors stand for). */
  nodes: number;
  /** Live buffers and bytes per device ('cpu', 'interp', ...). */
  devices: Record<string, DeviceMemory>;
  /** Host memory freed by dead tensors and kept by the caching allocator for reuse (bytes). */
  cachedBytes: number;
}

export function memory(): MemoryReport {
  const nodes = countLiveObjects(Node.prototype);
  const tensors = countLiveObjects(Tensor.prototype);
  return { tensors, nodes, devices: deviceMemory(), cachedBytes: hostMemoryStats().cachedBytes };
}
