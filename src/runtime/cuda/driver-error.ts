/**
 * The error of a failed CUDA driver call: a `DeviceError` that also carries the driver's name for the
 * result (`CUDA_ERROR_OUT_OF_MEMORY`, ...) and the call, so that code above the driver (the device's caching
 * allocator) can tell out-of-memory from other failures without parsing messages.
 */
import { DeviceError } from '../../ir/index.js';

export class CudaDriverError extends DeviceError {
  constructor(
    message: string,
    /** The driver's name of the CUresult, e.g. CUDA_ERROR_OUT_OF_MEMORY. */
    readonly cudaError: string,
    /** The driver entry point that failed, e.g. cuMemAlloc_v2. */
    readonly call: string,
  ) {
    super(message);
  }
}

/** Whether `e` is the driver's out-of-memory error (the allocator empties its cache and retries once). */
export function isCudaOutOfMemory(e: unknown): e is CudaDriverError {
  return e instanceof CudaDriverError && e.cudaError === 'CUDA_ERROR_OUT_OF_MEMORY';
}
