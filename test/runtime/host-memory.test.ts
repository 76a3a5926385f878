/**
 * Host memory in a loop that never yields: the pool's blocks come back when V8 collects their buffers, and
 * V8 does not count the pool's memory, so host-memory.ts asks for collections itself. Buffers that lived
 * through young collections (a training step's parameters, gradients, momenta) are old; a full collection
 * asked as `gc({ type: 'major' })` left them alive (an eager 1024-wide MLP loop held 2.4 GB after 300 steps,
 * 8 MiB more per step); the allocator's full collection frees them (the same loop stays under 450 MB of RSS).
 */
import { describe, expect, it } from 'vitest';
import { fullCollection, gcFunctionOrNull, hostArray, hostMemoryStats } from '../../src/runtime/index.js';

const liveBytes = (): number => hostMemoryStats().devices.cpu!.bytes;

describe('host memory', () => {
  it("the allocator's full collection frees dead buffers that lived through young collections", () => {
    const gc = gcFunctionOrNull();
    expect(gc).not.toBeNull();
    const base = fullCollection();
    let old: Float32Array[] | null = Array.from({ length: 32 }, () => hostArray('float32', 1 << 20) as Float32Array); // 128 MiB
    gc!({ type: 'minor' });
    gc!({ type: 'minor' }); // now old
    expect(liveBytes() - base).toBeGreaterThanOrEqual(128 * 2 ** 20);
    old = null;
    expect(old).toBeNull();
    expect(fullCollection() - base).toBeLessThan(16 * 2 ** 20);
  });
});
