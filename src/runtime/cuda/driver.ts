/**
 * The seam between graft's `cuda` device and what runs CUDA kernels. Two implementations sit behind it:
 * - the real driver (`driver-native.ts`): the CUDA driver API (`libcuda.so.1`) and NVRTC (`libnvrtc.so.*`)
 *   loaded by the addon with dlopen at run time, so nothing links against CUDA;
 * - the emulator (`driver-emulated.ts`, `GRAFT_CUDA_EMULATE=1`): the same CUDA C source compiled for the
 *   CPU against a small header, device memory as host memory. For correctness only, never for speed.
 * Everything above this interface (the device, its caching allocator, programs, the Tensor API) is the same
 * code for both, so the emulator in CI tests the device as a GPU runs it.
 *
 * Contract: launches are asynchronous on one stream per device and run in order; `copyDtoH` and
 * `synchronize` wait for the work queued before them; errors are `DeviceError`s naming the driver's error
 * (e.g. CUDA_ERROR_OUT_OF_MEMORY) and the call.
 */

/** A device address (CUdeviceptr); 0n is null. */
export type DevicePtr = bigint;

/** A kernel argument: a device pointer or a scalar of the given C type. */
export type KernelArg =
  | { readonly ptr: DevicePtr }
  | { readonly i32: number }
  | { readonly i64: number }
  | { readonly f32: number }
  | { readonly f64: number };

/** What a device is. */
export interface CudaDeviceInfo {
  readonly name: string;
  /** Compute capability, e.g. 9.0 for sm_90. */
  readonly major: number;
  readonly minor: number;
  readonly totalBytes: number;
  readonly multiprocessors: number;
}

/** A kernel of a loaded module, ready to launch. */
export interface CudaFunction {
  readonly name: string;
}

export interface CudaDriver {
  readonly kind: 'driver' | 'emulator';
  /** Devices this driver reaches. */
  deviceCount(): number;
  info(ordinal: number): CudaDeviceInfo;
  /** Raw device memory, uncached (the device's allocator caches above this). Out of memory: DeviceError naming the bytes. */
  malloc(ordinal: number, bytes: number): DevicePtr;
  free(ordinal: number, ptr: DevicePtr): void;
  /** Bytes free and in total on the device, as the driver reports them. */
  memInfo(ordinal: number): { free: number; total: number };
  copyHtoD(ordinal: number, dst: DevicePtr, src: ArrayBufferView): void;
  copyDtoH(ordinal: number, dst: ArrayBufferView, src: DevicePtr): void;
  copyDtoD(ordinal: number, dst: DevicePtr, src: DevicePtr, bytes: number): void;
  memsetD8(ordinal: number, dst: DevicePtr, value: number, bytes: number): void;
  /**
   * Compile CUDA C source (NVRTC for the device's architecture; the host C++ compiler for the emulator),
   * cached on disk by source, architecture and compiler version, load it, and return its functions by name.
   * A source that does not compile: CompileError with the compiler's log.
   */
  loadModule(ordinal: number, source: string, functionNames: readonly string[]): Map<string, CudaFunction>;
  launch(
    fn: CudaFunction,
    grid: readonly [number, number, number],
    block: readonly [number, number, number],
    sharedBytes: number,
    args: readonly KernelArg[],
  ): void;
  synchronize(ordinal: number): void;
}

/** A driver, or why none is there ("libcuda.so.1 not found", "no CUDA device", "driver too old: ..."). */
export type DriverOrReason = { readonly driver: CudaDriver } | { readonly reason: string };
