export * from './buffer.js';
export * from './memory.js';
export * from './device.js';
export * from './interp.js';
export * from './kernel-cache.js';
export * from './native.js';
export * from './realize.js';
export * from './scalar-math.js';
export * from './program.js';
export * from './cpu.js';
export * from './inspect.js';
import { registerDevice } from './device.js';
import { InterpDevice } from './interp.js';
import { CpuDevice } from './cpu.js';

registerDevice('interp', () => new InterpDevice('interp'));
registerDevice('cpu', () => new CpuDevice('cpu'));
export * from './host-memory.js';
export * from './heap.js';
