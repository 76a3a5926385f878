/**
 * torch.memory(): what is alive — tensors, IR nodes, and buffers per device. Counts follow the garbage
 * collector: what is unreachable but not yet collected still counts.
 */
import { liveNodeCount } from '../ir/index.js';
import { deviceMemory, type DeviceMemory } from '../runtime/index.js';
import { liveTensorCount } from './tensor.js';

export interface MemoryReport {
  /** Tensor objects alive. */
  tensors: number;
  /** IR nodes alive (pending graphs and the nodes tensors stand for). */
  nodes: number;
  /** Buffers and bytes per device ('cpu', 'interp', ...). */
  devices: Record<string, DeviceMemory>;
}

export function memory(): MemoryReport {
  return { tensors: liveTensorCount(), nodes: liveNodeCount(), devices: deviceMemory() };
}
