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
export { CudaDevice } from './cuda/device.js';
export { probeCuda, resetCudaProbe, nativeDriverHook } from './cuda/register.js';
import { setDeviceProbe } from './device.js';
import { probeCuda } from './cuda/register.js';
setDeviceProbe(() => probeCuda().reason);
// The real CUDA driver (libcuda + NVRTC through the addon's dlopen) plugs into the single place a driver is chosen.
import { openNativeDriver } from './cuda/driver-native.js';
import { nativeDriverHook } from './cuda/register.js';
nativeDriverHook.open = openNativeDriver;
