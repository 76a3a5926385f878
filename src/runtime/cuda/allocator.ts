/**
 * The caching allocator of a `cuda` device's memory. Requests are rounded up to size classes (512-byte steps
 * below 1 MiB, four classes per power of two above); a freed block is kept in its class's list and handed to
 * the next request of that class without a driver call (cuMemAlloc and cuMemFree synchronize the device).
 * `emptyCache()` gives every kept block back to the driver. Out of memory: the cache is emptied and the
 * allocation tried once more; if it still fails, an OutOfMemoryError names the bytes asked and in use.
 */
import { DeviceError, OutOfMemoryError } from '../../ir/index.js';
import type { CudaDriver, DevicePtr } from './driver.js';

const MIB = 2 ** 20;

/** The size class of a request (bytes actually allocated). */
export function sizeClass(bytes: number): number {
  const b = Math.max(bytes, 1);
  if (b <= MIB) return Math.ceil(b / 512) * 512;
  const step = 2 ** (Math.floor(Math.log2(b)) - 2);
  return Math.ceil(b / step) * step;
}

export class CachingAllocator {
  private readonly kept = new Map<number, DevicePtr[]>();
  /** Bytes of blocks handed out (size classes), and kept for reuse. */
  inUse = 0;
  cached = 0;
  /** Driver allocations made, and requests served from the cache (tests). */
  readonly stats = { mallocs: 0, reuses: 0, frees: 0 };

  constructor(
    private readonly driver: CudaDriver,
    private readonly ordinal: number,
    private readonly device: string,
  ) {}

  /** A block of at least `bytes` bytes; its size (to give back with `release`) is `sizeClass(bytes)`. */
  alloc(bytes: number): DevicePtr {
    const size = sizeClass(bytes);
    const list = this.kept.get(size);
    if (list && list.length) {
      this.stats.reuses++;
      this.cached -= size;
      this.inUse += size;
      return list.pop()!;
    }
    let ptr: DevicePtr;
    try {
      ptr = this.driver.malloc(this.ordinal, size);
    } catch (e) {
      if (!(e instanceof DeviceError) || !/OUT_OF_MEMORY/.test(e.message)) throw e;
      this.emptyCache();
      try {
        ptr = this.driver.malloc(this.ordinal, size);
      } catch (e2) {
        if (!(e2 instanceof DeviceError) || !/OUT_OF_MEMORY/.test(e2.message)) throw e2;
        const total = this.driver.memInfo(this.ordinal).total;
        throw new OutOfMemoryError(
          `${this.device}: CUDA out of memory. Tried to allocate ${bytes} bytes (${this.inUse} bytes in use by graft, ${total} bytes in total on the device)`,
        );
      }
    }
    this.stats.mallocs++;
    this.inUse += size;
    return ptr;
  }

  /** Give a block back (kept for reuse). */
  release(ptr: DevicePtr, bytes: number): void {
    const size = sizeClass(bytes);
    this.inUse -= size;
    this.cached += size;
    const list = this.kept.get(size);
    if (list) list.push(ptr);
    else this.kept.set(size, [ptr]);
  }

  /** Return every kept block to the driver. */
  emptyCache(): void {
    for (const list of this.kept.values()) {
      for (const p of list) {
        this.driver.free(this.ordinal, p);
        this.stats.frees++;
      }
    }
    this.kept.clear();
    this.cached = 0;
  }
}
