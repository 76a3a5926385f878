/**
 * The CUDA emulator (`GRAFT_CUDA_EMULATE=1`): a `CudaDriver` whose device memory is host memory and whose
 * modules are the CUDA C source compiled as C++ by the host compiler against a small header
 * (emulator-header.ts), through the C compiler's disk cache. For correctness only, never for speed: it lets
 * CI run the `cuda` device, its allocator, its programs and every generated kernel without a GPU.
 *
 * Device pointers are bigints in a virtual address space (allocations 256-byte aligned, never reused), each
 * allocation a Uint8Array; a pointer into the middle of an allocation (a view) resolves to it and an offset.
 * A launch runs at once, on the calling thread (the stream's order holds trivially).
 */
import { CompileError, DeviceError } from '../../ir/index.js';
import { loadKernelLibrary } from '../kernel-cache.js';
import type { Kernel } from '../native.js';
import type { CudaDeviceInfo, CudaDriver, CudaFunction, DevicePtr, DriverOrReason, KernelArg } from './driver.js';
import { EMULATOR_HEADER } from './emulator-header.js';

/** C++ flags of emulated modules: no OpenMP (one host thread runs a grid), moderate optimization (compile time). */
export const EMULATOR_FLAGS: readonly string[] = ['-x', 'c++', '-std=c++17', '-O1', '-fno-exceptions', '-fno-rtti', '-ffp-contract=off', '-fno-math-errno', '-fno-strict-aliasing', '-w'];

/** Device memory of the emulated device: GRAFT_CUDA_EMULATE_MB, else 4 GiB. */
function emulatedBytes(): number {
  const mb = Number.parseInt(process.env.GRAFT_CUDA_EMULATE_MB ?? '', 10);
  return (Number.isInteger(mb) && mb > 0 ? mb : 4096) * 2 ** 20;
}

interface EmuFunction extends CudaFunction {
  readonly kernel: Kernel;
  /** Run the threads of a block as coroutines (the source has barriers or shuffles). */
  readonly coop: boolean;
}

const BASE = 0x100000000n;
const ALIGN = 256n;
const KIND = { ptr: 0, i32: 1, i64: 2, f32: 3, f64: 4 } as const;
const FAULTS: Record<number, string> = {
  101: 'the kernel was launched with the wrong number of arguments (CUDA_ERROR_INVALID_VALUE)',
  102: 'a barrier or shuffle in a kernel run without coroutines',
  103: 'a barrier (__syncthreads or a shuffle) that some threads of the block never reach (deadlock)',
  104: 'no host memory for the threads of a block',
  105: 'more than 1024 threads per block (CUDA_ERROR_INVALID_VALUE)',
};

export class EmulatedDriver implements CudaDriver {
  readonly kind = 'emulator' as const;
  private readonly allocs = new Map<bigint, Uint8Array>();
  /** Bases of live allocations, ascending (pointers inside an allocation are found by binary search). */
  private bases: bigint[] = [];
  private next = BASE;
  private used = 0;
  private readonly total = emulatedBytes();
  /** Launches run so far (tests). */
  launches = 0;

  deviceCount(): number {
    return 1;
  }

  info(ordinal: number): CudaDeviceInfo {
    this.check(ordinal);
    return { name: 'graft CUDA emulator', major: 9, minor: 0, totalBytes: this.total, multiprocessors: 1 };
  }

  private check(ordinal: number): void {
    if (ordinal !== 0) throw new DeviceError(`cuda emulator: invalid device ordinal ${ordinal} (CUDA_ERROR_INVALID_DEVICE)`);
  }

  malloc(ordinal: number, bytes: number): DevicePtr {
    this.check(ordinal);
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new DeviceError(`cuMemAlloc: invalid size ${bytes} (CUDA_ERROR_INVALID_VALUE)`);
    if (this.used + bytes > this.total) {
      throw new DeviceError(`cuMemAlloc of ${bytes} bytes: CUDA_ERROR_OUT_OF_MEMORY (${this.used} of ${this.total} bytes in use)`);
    }
    const ptr = this.next;
    this.next += ((BigInt(Math.max(bytes, 1)) + ALIGN - 1n) / ALIGN) * ALIGN;
    this.allocs.set(ptr, new Uint8Array(bytes));
    this.bases.push(ptr);
    this.used += bytes;
    return ptr;
  }

  free(ordinal: number, ptr: DevicePtr): void {
    this.check(ordinal);
    const a = this.allocs.get(ptr);
    if (!a) throw new DeviceError(`cuMemFree: ${ptr} is not an allocation (CUDA_ERROR_INVALID_VALUE)`);
    this.allocs.delete(ptr);
    const i = this.find(ptr);
    this.bases.splice(i, 1);
    this.used -= a.byteLength;
  }

  memInfo(ordinal: number): { free: number; total: number } {
    this.check(ordinal);
    return { free: this.total - this.used, total: this.total };
  }

  /** Index in `bases` of the last base <= ptr, or -1. */
  private find(ptr: bigint): number {
    let lo = 0;
    let hi = this.bases.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.bases[mid]! <= ptr) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at;
  }

  /** The allocation holding `bytes` bytes from `ptr`, and the offset of `ptr` in it. */
  resolve(ptr: DevicePtr, bytes: number, what: string): { mem: Uint8Array; offset: number } {
    let mem = this.allocs.get(ptr);
    let offset = 0;
    if (!mem) {
      const i = this.find(ptr);
      if (i >= 0) {
        const base = this.bases[i]!;
        mem = this.allocs.get(base)!;
        offset = Number(ptr - base);
      }
    }
    if (!mem || offset + bytes > mem.byteLength) {
      throw new DeviceError(`${what}: ${bytes} bytes at device address ${ptr} are outside every allocation (CUDA_ERROR_INVALID_VALUE)`);
    }
    return { mem, offset };
  }

  copyHtoD(ordinal: number, dst: DevicePtr, src: ArrayBufferView): void {
    this.check(ordinal);
    const { mem, offset } = this.resolve(dst, src.byteLength, 'cuMemcpyHtoD');
    mem.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), offset);
  }

  copyDtoH(ordinal: number, dst: ArrayBufferView, src: DevicePtr): void {
    this.check(ordinal);
    const { mem, offset } = this.resolve(src, dst.byteLength, 'cuMemcpyDtoH');
    new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(mem.subarray(offset, offset + dst.byteLength));
  }

  copyDtoD(ordinal: number, dst: DevicePtr, src: DevicePtr, bytes: number): void {
    this.check(ordinal);
    const s = this.resolve(src, bytes, 'cuMemcpyDtoD');
    const d = this.resolve(dst, bytes, 'cuMemcpyDtoD');
    d.mem.set(s.mem.subarray(s.offset, s.offset + bytes), d.offset);
  }

  memsetD8(ordinal: number, dst: DevicePtr, value: number, bytes: number): void {
    this.check(ordinal);
    const { mem, offset } = this.resolve(dst, bytes, 'cuMemsetD8');
    mem.fill(value & 255, offset, offset + bytes);
  }

  loadModule(ordinal: number, source: string, functionNames: readonly string[]): Map<string, CudaFunction> {
    this.check(ordinal);
    for (const n of functionNames) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new CompileError(`cuda emulator: '${n}' is not a kernel name`);
    const coop = /__syncthreads|__shfl|__syncwarp/.test(source);
    const text = [EMULATOR_HEADER, source, ...functionNames.map((n) => `GRAFT_EMU_ENTRY(${n})`), ''].join('\n');
    const lib = loadKernelLibrary(text, { flags: EMULATOR_FLAGS });
    return new Map(functionNames.map((name): [string, CudaFunction] => [name, { name, kernel: lib.kernel(`graft_emu_${name}`), coop } as EmuFunction]));
  }

  launch(
    fn: CudaFunction,
    grid: readonly [number, number, number],
    block: readonly [number, number, number],
    _sharedBytes: number,
    args: readonly KernelArg[],
  ): void {
    const f = fn as EmuFunction;
    const dims = [...grid, ...block];
    if (!dims.every((d) => Number.isInteger(d) && d >= 1 && d < 2 ** 31)) {
      throw new DeviceError(`cuLaunchKernel ${f.name}: invalid grid ${grid.join('x')} or block ${block.join('x')} (CUDA_ERROR_INVALID_VALUE)`);
    }
    const words = new BigInt64Array(8 + 2 * args.length);
    words.set([...dims, f.coop ? 1 : 0, args.length].map(BigInt));
    const view = new DataView(words.buffer);
    const mems: Uint8Array[] = [];
    args.forEach((a, i) => {
      const at = 8 * (9 + 2 * i);
      if ('ptr' in a) {
        words[8 + 2 * i] = BigInt(KIND.ptr);
        if (a.ptr === 0n) mems.push(new Uint8Array(0));
        else {
          const { mem, offset } = this.resolve(a.ptr, 0, `cuLaunchKernel ${f.name}`);
          mems.push(mem);
          words[9 + 2 * i] = BigInt(offset);
        }
      } else if ('i32' in a) {
        words[8 + 2 * i] = BigInt(KIND.i32);
        view.setInt32(at, a.i32, true);
      } else if ('i64' in a) {
        words[8 + 2 * i] = BigInt(KIND.i64);
        view.setBigInt64(at, BigInt(a.i64), true);
      } else if ('f32' in a) {
        words[8 + 2 * i] = BigInt(KIND.f32);
        view.setFloat32(at, a.f32, true);
      } else {
        words[8 + 2 * i] = BigInt(KIND.f64);
        view.setFloat64(at, a.f64, true);
      }
    });
    this.launches++;
    try {
      f.kernel.callTrusted([words, ...mems], new Array<number>(1 + mems.length).fill(0));
    } catch (e) {
      const code = Number(/status (\d+)/.exec((e as Error).message)?.[1] ?? 0);
      throw new DeviceError(`cuda emulator: kernel ${f.name} failed: ${FAULTS[code] ?? (e as Error).message}`);
    }
  }

  synchronize(ordinal: number): void {
    this.check(ordinal);
  }
}

/** The emulated driver, when GRAFT_CUDA_EMULATE=1. */
export function openEmulatedDriver(): DriverOrReason {
  if (process.env.GRAFT_CUDA_EMULATE !== '1') return { reason: 'GRAFT_CUDA_EMULATE is not 1' };
  return { driver: new EmulatedDriver() };
}
