/**
 * The real CUDA driver behind the seam of `driver.ts`: the addon's `cuda` object (native/cuda_driver.cc),
 * which loads `libcuda.so.1` and NVRTC with dlopen at run time, wrapped into a `CudaDriver`.
 *
 * - `openNativeDriver()` probes once per process and returns the driver or why there is none (library
 *   missing, naming the names tried; cuInit's error; no device; driver too old; NVRTC missing or newer than
 *   the driver). `GRAFT_CUDA_LIBRARY` / `GRAFT_NVRTC_LIBRARY` replace the names searched (a path or a name;
 *   the tests point both at a fake library, test/runtime/cuda-fake.c).
 * - Driver failures become `CudaDriverError` (a `DeviceError` naming the device, the call and the driver's
 *   error name); out of memory names the bytes asked and what the device has free. NVRTC failures become
 *   `CompileError` with NVRTC's log. Bad arguments (the native side checks them all) become `ValueError`.
 * - Modules are cached on disk (module-cache.ts) and, within the process, per device and source.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CompileError, GraftError, ValueError } from '../../ir/index.js';
import { nativeAddon } from '../native.js';
import type { CudaDeviceInfo, CudaDriver, CudaFunction, DevicePtr, DriverOrReason, KernelArg } from './driver.js';
import { CudaDriverError } from './driver-error.js';
import { cachedModuleImage, cudaModuleKey, dropModuleImage } from './module-cache.js';

/** The addon's raw `cuda` object. Every function checks its arguments and throws rather than crash. */
export interface NativeCuda {
  init(
    cudaNames: readonly string[],
    nvrtcNames: readonly string[],
  ):
    | {
        ok: true;
        driverVersion: number;
        deviceCount: number;
        cudaLibrary: string;
        nvrtcLibrary: string;
        nvrtcVersion: [number, number];
      }
    | { ok: false; reason: string };
  deviceInfo(ordinal: number): CudaDeviceInfo;
  malloc(ordinal: number, bytes: number): bigint;
  free(ordinal: number, ptr: bigint): void;
  memInfo(ordinal: number): [number, number];
  copyHtoD(ordinal: number, dst: bigint, src: ArrayBufferView): void;
  copyDtoH(ordinal: number, dst: ArrayBufferView, src: bigint): void;
  copyDtoD(ordinal: number, dst: bigint, src: bigint, bytes: number): void;
  memsetD8(ordinal: number, dst: bigint, value: number, bytes: number): void;
  /** options: NVRTC options besides the architecture (which compile chooses). */
  compile(
    ordinal: number,
    source: string,
    programName: string,
    options?: readonly string[],
  ): { image: Uint8Array; kind: 'cubin' | 'ptx'; arch: string; log: string };
  loadModule(ordinal: number, image: ArrayBufferView): number;
  getFunction(module: number, name: string): number;
  /** kinds: 0 pointer, 1 int32, 2 int64, 3 float32, 4 float64; slots: 8 bytes per argument, little-endian. */
  launch(
    fn: number,
    grid: readonly number[],
    block: readonly number[],
    sharedBytes: number,
    kinds: Uint8Array,
    slots: Uint8Array,
  ): void;
  synchronize(ordinal: number): void;
}

/** The names searched when no environment variable says otherwise. */
export const CUDA_LIBRARY_NAMES: readonly string[] = ['libcuda.so.1'];
export const NVRTC_LIBRARY_NAMES: readonly string[] = [
  'libnvrtc.so.13',
  'libnvrtc.so.12',
  'libnvrtc.so.11.2',
  'libnvrtc.so.11.1',
  'libnvrtc.so.11.0',
  'libnvrtc.so',
];

export interface NativeDriverOptions {
  /** Names or paths of the driver library to try, in order (default: GRAFT_CUDA_LIBRARY, else libcuda.so.1). */
  readonly cudaLibraries?: readonly string[];
  /** Names or paths of NVRTC to try, in order (default: GRAFT_NVRTC_LIBRARY, else libnvrtc.so.13, .12, ...). */
  readonly nvrtcLibraries?: readonly string[];
}

function fromEnv(name: string, dflt: readonly string[]): readonly string[] {
  const v = process.env[name];
  return v !== undefined && v !== '' ? [v] : dflt;
}

let opened: DriverOrReason | undefined;

/** The real driver, probed once per process (GRAFT_CUDA_LIBRARY / GRAFT_NVRTC_LIBRARY read then). */
export function openNativeDriver(): DriverOrReason {
  return (opened ??= probeNativeDriver());
}

/** Probes the driver now (not cached): for tests and tools that point it at other libraries. */
export function probeNativeDriver(options: NativeDriverOptions = {}): DriverOrReason {
  const cudaNames = options.cudaLibraries ?? fromEnv('GRAFT_CUDA_LIBRARY', CUDA_LIBRARY_NAMES);
  const nvrtcNames = options.nvrtcLibraries ?? fromEnv('GRAFT_NVRTC_LIBRARY', NVRTC_LIBRARY_NAMES);
  let cuda: NativeCuda | undefined;
  let r: ReturnType<NativeCuda['init']>;
  try {
    cuda = (nativeAddon() as unknown as { cuda?: NativeCuda }).cuda;
    if (cuda === undefined) return { reason: 'the graft native addon was built without CUDA support (rebuild it)' };
    r = cuda.init(cudaNames, nvrtcNames);
  } catch (e) {
    return { reason: (e as Error).message };
  }
  if (!r.ok) return { reason: r.reason };
  return {
    driver: new NativeCudaDriver(cuda, r.driverVersion, r.deviceCount, r.cudaLibrary, r.nvrtcLibrary, r.nvrtcVersion),
  };
}

const ARG_KIND = { ptr: 0, i32: 1, i64: 2, f32: 3, f64: 4 } as const;

class NativeFunction implements CudaFunction {
  constructor(
    readonly name: string,
    readonly ordinal: number,
    readonly id: number,
    readonly driver: NativeCudaDriver,
  ) {}
}

/**
 * NVRTC options besides the architecture: the CUDA toolkit's headers (cuda_fp16.h, ...) on the include path
 * when a toolkit is found — GRAFT_CUDA_INCLUDE (empty: none), else $CUDA_HOME/include, $CUDA_PATH/include,
 * /usr/local/cuda/include.
 */
export function nvrtcOptions(): string[] {
  const env = process.env.GRAFT_CUDA_INCLUDE;
  if (env !== undefined) return env === '' ? [] : [`--include-path=${env}`];
  for (const root of [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda']) {
    if (root && existsSync(join(root, 'include', 'cuda_fp16.h'))) return [`--include-path=${join(root, 'include')}`];
  }
  return [];
}

/** `CudaDriver` over the addon. Also says which libraries and versions it runs on. */
export class NativeCudaDriver implements CudaDriver {
  readonly kind = 'driver' as const;
  private readonly infos = new Map<number, CudaDeviceInfo>();
  /** Loaded modules by ordinal and key: module id and its functions. */
  private readonly modules = new Map<string, { id: number; functions: Map<string, NativeFunction> }>();
  private kinds = new Uint8Array(16);
  private slots = new Uint8Array(16 * 8);
  private slotView = new DataView(this.slots.buffer);
  /** NVRTC options of every compile (part of the module cache's key). */
  readonly compileOptions: readonly string[] = nvrtcOptions();

  constructor(
    private readonly cuda: NativeCuda,
    /** e.g. 13000 for CUDA 13.0 */
    readonly driverVersion: number,
    private readonly count: number,
    readonly cudaLibrary: string,
    readonly nvrtcLibrary: string,
    /** [major, minor] */
    readonly nvrtcVersion: readonly [number, number],
  ) {}

  deviceCount(): number {
    return this.count;
  }

  info(ordinal: number): CudaDeviceInfo {
    let i = this.infos.get(ordinal);
    if (i === undefined) {
      i = this.call(ordinal, () => this.cuda.deviceInfo(ordinal));
      this.infos.set(ordinal, i);
    }
    return i;
  }

  malloc(ordinal: number, bytes: number): DevicePtr {
    try {
      return this.cuda.malloc(ordinal, bytes);
    } catch (e) {
      const err = mapError(e, ordinal);
      if (err instanceof CudaDriverError && err.cudaError === 'CUDA_ERROR_OUT_OF_MEMORY') {
        let free = '';
        try {
          const [f, t] = this.cuda.memInfo(ordinal);
          free = ` (${f} bytes free of ${t})`;
        } catch {
          // the device cannot even say: the message goes without
        }
        throw new CudaDriverError(
          `CUDA out of memory. Tried to allocate ${bytes} bytes on cuda:${ordinal}${free}: ${err.call} returned ${err.cudaError}`,
          err.cudaError,
          err.call,
        );
      }
      throw err;
    }
  }

  free(ordinal: number, ptr: DevicePtr): void {
    this.call(ordinal, () => this.cuda.free(ordinal, ptr));
  }

  memInfo(ordinal: number): { free: number; total: number } {
    const [free, total] = this.call(ordinal, () => this.cuda.memInfo(ordinal));
    return { free, total };
  }

  copyHtoD(ordinal: number, dst: DevicePtr, src: ArrayBufferView): void {
    this.call(ordinal, () => this.cuda.copyHtoD(ordinal, dst, src));
  }

  copyDtoH(ordinal: number, dst: ArrayBufferView, src: DevicePtr): void {
    this.call(ordinal, () => this.cuda.copyDtoH(ordinal, dst, src));
  }

  copyDtoD(ordinal: number, dst: DevicePtr, src: DevicePtr, bytes: number): void {
    this.call(ordinal, () => this.cuda.copyDtoD(ordinal, dst, src, bytes));
  }

  memsetD8(ordinal: number, dst: DevicePtr, value: number, bytes: number): void {
    this.call(ordinal, () => this.cuda.memsetD8(ordinal, dst, value, bytes));
  }

  /** The architecture modules are compiled for and keyed by, e.g. `sm_90`. */
  arch(ordinal: number): string {
    const i = this.info(ordinal);
    return `sm_${i.major * 10 + i.minor}`;
  }

  loadModule(ordinal: number, source: string, functionNames: readonly string[]): Map<string, CudaFunction> {
    if (typeof source !== 'string') throw new ValueError('cuda driver: loadModule needs CUDA source as a string');
    if (!Array.isArray(functionNames)) throw new ValueError('cuda driver: loadModule needs an array of function names');
    const key = cudaModuleKey(source, this.arch(ordinal), this.nvrtcVersion.join('.'), this.compileOptions);
    const memoKey = `${ordinal}:${key}`;
    let mod = this.modules.get(memoKey);
    if (mod === undefined) {
      const compile = () =>
        this.call(ordinal, () => this.cuda.compile(ordinal, source, `graft_${key.slice(0, 12)}.cu`, this.compileOptions).image);
      const { image, fromCache } = cachedModuleImage(key, compile);
      let id: number;
      try {
        id = this.call(ordinal, () => this.cuda.loadModule(ordinal, image));
      } catch (e) {
        // A cached image the driver refuses (written by another build, damaged in a way the seal cannot
        // see): dropped, compiled again once.
        if (!fromCache) throw e;
        dropModuleImage(key);
        const fresh = cachedModuleImage(key, compile).image;
        id = this.call(ordinal, () => this.cuda.loadModule(ordinal, fresh));
      }
      mod = { id, functions: new Map() };
      this.modules.set(memoKey, mod);
    }
    const out = new Map<string, CudaFunction>();
    for (const name of functionNames) {
      let fn = mod.functions.get(name);
      if (fn === undefined) {
        const id = this.call(ordinal, () => this.cuda.getFunction(mod.id, name));
        fn = new NativeFunction(name, ordinal, id, this);
        mod.functions.set(name, fn);
      }
      out.set(name, fn);
    }
    return out;
  }

  launch(
    fn: CudaFunction,
    grid: readonly [number, number, number],
    block: readonly [number, number, number],
    sharedBytes: number,
    args: readonly KernelArg[],
  ): void {
    if (!(fn instanceof NativeFunction) || fn.driver !== this) {
      throw new ValueError('cuda driver: launch of a function that this driver did not load');
    }
    if (!Array.isArray(args) || !Array.isArray(grid) || !Array.isArray(block)) {
      throw new ValueError('cuda driver: grid, block and the kernel arguments must be arrays');
    }
    // Plain copies, read before the argument scratch is filled (the addon checks their values).
    const g = [grid[0], grid[1], grid[2]];
    const b = [block[0], block[1], block[2]];
    const n = args.length;
    if (this.kinds.length < n) {
      this.kinds = new Uint8Array(2 * n);
      this.slots = new Uint8Array(16 * n);
      this.slotView = new DataView(this.slots.buffer);
    }
    const v = this.slotView;
    for (let i = 0; i < n; i++) {
      const a = args[i] as Partial<Record<keyof typeof ARG_KIND, unknown>> | undefined;
      const at = 8 * i;
      v.setBigUint64(at, 0n, true);
      if (a !== null && typeof a === 'object' && 'ptr' in a && typeof a.ptr === 'bigint' && a.ptr >= 0n && a.ptr < 1n << 64n) {
        this.kinds[i] = ARG_KIND.ptr;
        v.setBigUint64(at, a.ptr, true);
      } else if (a !== null && typeof a === 'object' && 'i32' in a && Number.isInteger(a.i32) && (a.i32 as number) >= -(2 ** 31) && (a.i32 as number) < 2 ** 31) {
        this.kinds[i] = ARG_KIND.i32;
        v.setInt32(at, a.i32 as number, true);
      } else if (a !== null && typeof a === 'object' && 'i64' in a && Number.isSafeInteger(a.i64)) {
        this.kinds[i] = ARG_KIND.i64;
        v.setBigInt64(at, BigInt(a.i64 as number), true);
      } else if (a !== null && typeof a === 'object' && 'f32' in a && typeof a.f32 === 'number') {
        this.kinds[i] = ARG_KIND.f32;
        v.setFloat32(at, a.f32, true);
      } else if (a !== null && typeof a === 'object' && 'f64' in a && typeof a.f64 === 'number') {
        this.kinds[i] = ARG_KIND.f64;
        v.setFloat64(at, a.f64, true);
      } else {
        throw new ValueError(`cuda driver: argument ${i} of kernel ${fn.name} is not a KernelArg ({ptr: bigint} or {i32|i64|f32|f64: number} in range)`);
      }
    }
    this.call(fn.ordinal, () =>
      this.cuda.launch(fn.id, g, b, sharedBytes, this.kinds.subarray(0, n), this.slots.subarray(0, 8 * n)),
    );
  }

  synchronize(ordinal: number): void {
    this.call(ordinal, () => this.cuda.synchronize(ordinal));
  }

  private call<T>(ordinal: number, f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw mapError(e, ordinal);
    }
  }
}

/** A native error as graft's: driver results, NVRTC failures, argument checks. */
function mapError(e: unknown, ordinal: number): Error {
  if (e instanceof GraftError) return e;
  const err = e as Error & { cudaError?: unknown; call?: unknown; nvrtcError?: unknown; log?: unknown };
  if (typeof err?.cudaError === 'string') {
    return new CudaDriverError(`cuda:${ordinal}: ${err.message}`, err.cudaError, String(err.call));
  }
  if (typeof err?.nvrtcError === 'string') {
    return new CompileError(`CUDA compilation failed on cuda:${ordinal}: ${err.message}`);
  }
  return new ValueError(`cuda driver: ${err instanceof Error ? err.message : String(e)}`);
}
