/**
 * Host memory in a loop that never yields: the pool's blocks come back when V8 collects their buffers, and
 * V8 does not count the pool's memory, so host-memory.ts asks for collections itself. Buffers that lived
 * through young collections (a training step's parameters, gradients, momenta) are old; a full collection
 * asked as `gc({ type: 'major' })` left them alive (an eager 1024-wide MLP loop held 2.4 GB after 300 steps,
 * 8 MiB more per step); `gc()` frees them (the same loop stays under 450 MB of RSS).
 */
import { describe, expect, it } from 'vitest';
import { gcFunctionOrNull, hostArray, hostMemoryStats } from '../../src/runtime/index.js';

const liveBytes = (): number => hostMemoryStats().devices.cpu!.bytes;

describe('host memory', () => {
  it('dead buffers that lived through young collections come back when more is allocated, with no event-loop turn', () => {
    const gc = gcFunctionOrNull();
    expect(gc).not.toBeNull();
    gc!();
    const base = liveBytes();
    let old: Float32Array[] | null = Array.from({ length: 64 }, () => hostArray('float32', 1 << 20) as Float32Array); // 256 MiB
    gc!({ type: 'minor' });
    gc!({ type: 'minor' }); // now old
    expect(liveBytes() - base).toBeGreaterThanOrEqual(256 * 2 ** 20);
    old = null;
    // Allocate (and drop) 512 MiB: the allocator's own collections must free the old 256 MiB too (its policy
    // lets dead memory reach about twice what was live after its last full collection, plus 64 MiB).
    for (let i = 0; i < 512; i++) hostArray('float32', 1 << 18);
    expect(old).toBeNull();
    expect(liveBytes() - base).toBeLessThan(160 * 2 ** 20);
  });
});
