/**
 * The native addon (build/Release/graft.node, built from native/ by `npm install`) behind a typed, checked
 * API: loading compiled kernel libraries, calling kernels on JS memory without copying, aligned typed
 * arrays, a monotonic clock.
 *
 * Safety: before a call this module checks the number of buffers, that each is an ArrayBufferView, and that
 * each holds at least the bytes the kernel will touch (`minBytes`, which the compiler derives from the
 * kernel's index ranges), and throws a typed error naming the kernel. The addon checks ids, closed
 * libraries and sizes again on its own, so not even its raw functions can be crashed from JS. No input from
 * JS can make a kernel read or write outside its buffers.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DTYPE_INFO, DeviceError, GraftError, ValueError, type DType, type TypedArray } from '../ir/index.js';
import { kernelStatus } from '../compiler/kernel-status.js';

/** The raw addon, as native/addon.cc exports it. Use the typed API below instead. */
export interface NativeAddon {
  open(path: string): number;
  symbol(lib: number, name: string): number;
  /** false when the library was already closed. */
  close(lib: number): boolean;
  /** Refuses (RangeError) a buffer smaller than its minBytes entry: the addon is safe on its own too. */
  call(kernel: number, buffers: readonly ArrayBufferView[], minBytes: readonly number[]): number;
  /** 0 when every kernel returned 0, else `index * 256 + code` of the first failing kernel (code 1..255). */
  callMany(
    kernels: readonly number[],
    bufferLists: readonly (readonly ArrayBufferView[])[],
    minBytesLists: readonly (readonly number[])[],
  ): number;
  /** Address of the view's first byte modulo `modulus`. */
  /** A program's kernels in one call: `table` = [count, per kernel: id, nArgs, per argument: slot, minBytes]. Returns 0 or index * 256 + status. */
  runTable(table: Float64Array, addresses: Float64Array, bytes: Float64Array): number;
  /** A one-byte SharedArrayBuffer whose collection by V8 records `id` (native/release_tokens.h). */
  newReleaseToken(id: number): SharedArrayBuffer;
  /** Ids of tokens collected since the last call. */
  drainReleased(): number[];
  /** The data address of a view (byteOffset included). */
  addressOf(view: ArrayBufferView): number;
  /** allocHost writes each block's address into box[0] from now on (box: pool memory kept forever). */
  hostAddressMailbox(box: Float64Array): void;
  addressMod(view: ArrayBufferView, modulus: number): number;
  nowNs(): number;
  /** Uninitialized memory of the caching allocator (native/host_pool.h); null when out of memory. */
  allocHost(bytes: number, tag: number): SharedArrayBuffer | null;
  /** [cachedBlocks, cachedBytes, limit, then per tag 0..7: liveBlocks, liveBytes]. */
  hostMemoryStats(): number[];
  emptyHostCache(): number;
  setHostCacheLimit(bytes: number): void;
}

/** src/runtime/native.ts and dist/runtime/native.js both sit two levels below the package root. */
const ADDON_PATH = fileURLToPath(new URL('../../build/Release/graft.node', import.meta.url));
let addon: NativeAddon | undefined;
let loadError: Error | undefined;

/** The addon, loaded on first use. Throws DeviceError naming the fix when it was not built. */
export function nativeAddon(): NativeAddon {
  if (addon) return addon;
  if (!loadError) {
    try {
      addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
      return addon;
    } catch (e) {
      loadError = e as Error;
    }
  }
  throw new DeviceError(
    `cpu: the graft native addon could not be loaded from ${ADDON_PATH} (${loadError.message.split('\n')[0]}); ` +
      `build it with 'npm install' (or 'npm rebuild graft'), which needs a C++ compiler, make and python3`,
  );
}

/** Whether the addon is built and loads. */
export function nativeAvailable(): boolean {
  try {
    nativeAddon();
    return true;
  } catch {
    return false;
  }
}

/** A kernel of a loaded library: `int name(void **bufs)`. */
export interface Kernel {
  readonly name: string;
  readonly library: KernelLibrary;
  /**
   * Runs the kernel on `buffers` (in order, no copies). `minBytes[i]` is the number of bytes the kernel
   * touches in buffer i: the call is refused (ValueError) unless there is one buffer per entry and each is
   * at least that large. A status the kernel reports becomes its typed error (IndexError, ZeroDivisionError).
   */
  call(buffers: readonly ArrayBufferView[], minBytes: readonly number[]): void;
  /**
   * @internal The same call without the JS-side checks and copies, for graft's own programs (their arrays are
   * made by the runtime). The addon still checks the count and size of every buffer, so nothing can make
   * the kernel touch memory outside them; only the error for a wrong call is less descriptive.
   */
  callTrusted(buffers: ArrayBufferView[], minBytes: number[]): void;
  /** The addon's id of the function (for `runTable`), after checking its library is open. */
  nativeId(): number;
}

/** A compiled shared object, opened with dlopen. */
export interface KernelLibrary {
  readonly path: string;
  readonly closed: boolean;
  /** The kernel called `name` (resolved once, then remembered). Throws ValueError when absent. */
  kernel(name: string): Kernel;
  /** dlclose. Its kernels throw afterwards. Closing twice does nothing. */
  close(): void;
}

/** One step of `callKernels`. */
export interface KernelCall {
  readonly kernel: Kernel;
  readonly buffers: readonly ArrayBufferView[];
  readonly minBytes: readonly number[];
}

class NativeKernel implements Kernel {
  constructor(
    readonly name: string,
    readonly library: NativeLibrary,
    readonly id: number,
  ) {}

  call(buffers: readonly ArrayBufferView[], minBytes: readonly number[]): void {
    const args = checkCall(this, buffers, minBytes);
    const status = nativeAddon().call(this.id, args.buffers, args.minBytes);
    if (status !== 0) throw statusError(this.name, status);
  }

  nativeId(): number {
    if (this.library.closed) throw new ValueError(`kernel ${this.name}: its library ${this.library.path} was closed`);
    return this.id;
  }

  callTrusted(buffers: ArrayBufferView[], minBytes: number[]): void {
    if (this.library.closed) throw new ValueError(`kernel ${this.name}: its library ${this.library.path} was closed`);
    const status = (addon ?? nativeAddon()).call(this.id, buffers, minBytes);
    if (status !== 0) throw statusError(this.name, status);
  }
}

class NativeLibrary implements KernelLibrary {
  private readonly kernels = new Map<string, NativeKernel>();
  private isClosed = false;

  constructor(
    readonly path: string,
    private readonly id: number,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  kernel(name: string): Kernel {
    if (this.isClosed) throw new ValueError(`kernel ${name}: the library ${this.path} was closed`);
    let k = this.kernels.get(name);
    if (!k) {
      let id: number;
      try {
        id = nativeAddon().symbol(this.id, name);
      } catch (e) {
        throw new ValueError(`no kernel named ${JSON.stringify(name)} in ${this.path}: ${(e as Error).message}`);
      }
      k = new NativeKernel(name, this, id);
      this.kernels.set(name, k);
    }
    return k;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    nativeAddon().close(this.id);
  }
}

/** dlopen a shared object (RTLD_NOW | RTLD_LOCAL). Throws DeviceError with the loader's message. */
export function openLibrary(path: string): KernelLibrary {
  let id: number;
  try {
    id = nativeAddon().open(path);
  } catch (e) {
    if (e instanceof GraftError) throw e;
    throw new DeviceError(`cpu: cannot load the kernel library ${path}: ${(e as Error).message}`);
  }
  return new NativeLibrary(path, id);
}

// The views' own byteLength getters, taken before any user code could replace them on the prototypes.
const typedArrayByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength')!
  .get as (this: ArrayBufferView) => number;
const dataViewByteLength = Object.getOwnPropertyDescriptor(DataView.prototype, 'byteLength')!.get as (
  this: DataView,
) => number;
const isView = ArrayBuffer.isView;

/**
 * Checks one call's arguments and returns plain copies of the two arrays: what was checked is exactly what
 * the addon receives, whatever getters or proxies the caller's arrays have.
 */
function checkCall(
  kernel: Kernel,
  buffers: readonly ArrayBufferView[],
  minBytes: readonly number[],
): { buffers: ArrayBufferView[]; minBytes: number[] } {
  if (kernel.library.closed) {
    throw new ValueError(`kernel ${kernel.name}: its library ${kernel.library.path} was closed`);
  }
  if (!Array.isArray(buffers) || !Array.isArray(minBytes)) {
    throw new ValueError(`kernel ${kernel.name}: buffers and minBytes must be arrays`);
  }
  const bufs = Array.from(buffers);
  const mins = Array.from(minBytes);
  if (bufs.length !== mins.length) {
    throw new ValueError(`kernel ${kernel.name}: expected ${mins.length} buffers, got ${bufs.length}`);
  }
  for (let i = 0; i < bufs.length; i++) {
    const b = bufs[i];
    const need = mins[i]!;
    if (!Number.isSafeInteger(need) || need < 0) {
      throw new ValueError(`kernel ${kernel.name}: minBytes[${i}] must be a non-negative integer, got ${need}`);
    }
    if (!isView(b)) throw new ValueError(`kernel ${kernel.name}: buffer ${i} is not a typed array or DataView`);
    const bytes = b instanceof DataView ? dataViewByteLength.call(b) : typedArrayByteLength.call(b);
    if (bytes < need) {
      throw new ValueError(
        `kernel ${kernel.name}: buffer ${i} holds ${bytes} bytes but the kernel touches ${need}` +
          (bytes === 0 && need > 0 ? ' (was its ArrayBuffer detached or transferred?)' : ''),
      );
    }
  }
  return { buffers: bufs, minBytes: mins };
}

export function statusError(kernelName: string, code: number): GraftError {
  const s = kernelStatus(code);
  if (s) return new s.error(`${s.message} (kernel ${kernelName})`);
  return new DeviceError(`cpu: kernel ${kernelName} failed with unknown status ${code}`);
}

/**
 * Runs several kernels in one native call, in order, stopping at the first that reports an error (whose
 * typed error is thrown, naming the kernel). Every step is checked before the first kernel runs.
 */
export function callKernels(steps: readonly KernelCall[]): void {
  const all = Array.from(steps);
  const ids: number[] = new Array(all.length);
  const lists: ArrayBufferView[][] = new Array(all.length);
  const mins: number[][] = new Array(all.length);
  const names: string[] = new Array(all.length);
  for (let i = 0; i < all.length; i++) {
    const { kernel, buffers, minBytes } = all[i]!;
    if (!(kernel instanceof NativeKernel)) throw new ValueError(`callKernels: step ${i} is not a loaded kernel`);
    const args = checkCall(kernel, buffers, minBytes);
    ids[i] = kernel.id;
    lists[i] = args.buffers;
    mins[i] = args.minBytes;
    names[i] = kernel.name;
  }
  const r = nativeAddon().callMany(ids, lists, mins);
  if (r !== 0) throw statusError(names[Math.floor(r / 256)]!, r % 256);
}

/** Alignment of `alignedArray` memory: a cache line, and the width of an AVX-512 vector. */
export const HOST_ALIGNMENT = 64;

/**
 * A zero-filled typed array of `n` elements whose first element is 64-byte aligned, so kernels can use
 * aligned vector loads. The memory is an ordinary V8 ArrayBuffer, over-allocated by up to 63 bytes, and the
 * view starts at its first aligned address (its byteOffset is usually nonzero). V8 owns it: it is counted
 * and freed by the GC as promptly as any ArrayBuffer, also inside long synchronous loops. (Memory allocated
 * by the addon as an external ArrayBuffer would be freed only when the event loop turns.)
 */
export function alignedArray(dtype: DType, n: number): TypedArray {
  if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`alignedArray: size must be a non-negative integer, got ${n}`);
  const info = DTYPE_INFO[dtype];
  const raw = new Uint8Array(n * info.bytes + HOST_ALIGNMENT - 1);
  const offset = (HOST_ALIGNMENT - nativeAddon().addressMod(raw, HOST_ALIGNMENT)) % HOST_ALIGNMENT;
  return new info.array(raw.buffer, offset, n);
}

/** A monotonic clock in nanoseconds (float; exact below 2^53 ns). */
export function nowNs(): number {
  return nativeAddon().nowNs();
}
