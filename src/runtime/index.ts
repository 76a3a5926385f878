export * from './buffer.js';
export * from './device.js';
export * from './interp.js';
export * from './kernel-cache.js';
export * from './native.js';
export * from './realize.js';
export * from './scalar-math.js';
import { registerDevice } from './device.js';
import { InterpDevice } from './interp.js';

registerDevice('interp', () => new InterpDevice('interp'));
// Until the compiled C backend is registered, 'cpu' evaluates with the interpreter.
registerDevice('cpu', () => new InterpDevice('cpu'));
