/** The cuda device's caching allocator over the emulator's driver (1 MiB of device memory here). */
import { describe, expect, it } from 'vitest';
import { OutOfMemoryError } from '../../src/ir/index.js';
import { CachingAllocator, sizeClass } from '../../src/runtime/cuda/allocator.js';
import { EmulatedDriver } from '../../src/runtime/cuda/driver-emulated.js';

function small(): EmulatedDriver {
  const was = process.env.GRAFT_CUDA_EMULATE_MB;
  process.env.GRAFT_CUDA_EMULATE_MB = '1';
  try {
    return new EmulatedDriver();
  } finally {
    if (was === undefined) delete process.env.GRAFT_CUDA_EMULATE_MB;
    else process.env.GRAFT_CUDA_EMULATE_MB = was;
  }
}

describe('cuda caching allocator', () => {
  it('rounds to size classes', () => {
    expect(sizeClass(1)).toBe(512);
    expect(sizeClass(513)).toBe(1024);
    expect(sizeClass(2 ** 20)).toBe(2 ** 20);
    expect(sizeClass(2 ** 20 + 1)).toBe(2 ** 20 + 2 ** 18);
    expect(sizeClass(3 * 2 ** 21 + 5)).toBe(7 * 2 ** 20);
  });

  it('reuses freed blocks of a class without the driver', () => {
    const a = new CachingAllocator(small(), 0, 'cuda:0');
    const p = a.alloc(1000);
    a.release(p, 1000);
    expect(a.cached).toBe(1024);
    expect(a.alloc(700)).toBe(p);
    expect(a.stats).toMatchObject({ mallocs: 1, reuses: 1 });
    expect(a.inUse).toBe(1024);
  });

  it('empties its cache and retries once when out of memory, then names the bytes', () => {
    const drv = small();
    const a = new CachingAllocator(drv, 0, 'cuda:0');
    const blocks = [a.alloc(400_000), a.alloc(400_000)];
    for (const b of blocks) a.release(b, 400_000);
    // 600 KB does not fit beside the two kept blocks: the cache is emptied and the retry succeeds.
    const big = a.alloc(600_000);
    expect(a.cached).toBe(0);
    expect(a.stats.frees).toBe(2);
    expect(drv.memInfo(0).free).toBeGreaterThan(0);
    const e = (() => {
      try {
        a.alloc(900_000);
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected an error');
    })();
    expect(e).toBeInstanceOf(OutOfMemoryError);
    expect(e.message).toMatch(/CUDA out of memory\. Tried to allocate 900000 bytes \(\d+ bytes in use/);
    a.release(big, 600_000);
  });
});
