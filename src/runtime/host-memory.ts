/**
 * Host memory for cpu buffers: typed arrays over V8-owned ArrayBuffers (freed by the GC like any other),
 * uninitialized (every kernel writes all of its output), 64-byte aligned for vector loads, and, from
 * HUGE_MIN bytes on, aligned to 2 MiB and advised to use transparent huge pages (madvise MADV_HUGEPAGE)
 * before they are first touched. First touches of fresh memory cost a page fault per 4 KiB page — on
 * some virtual machines about 15 us each, which is more than the arithmetic of most kernels over them;
 * with huge pages it is one fault per 2 MiB.
 */
import { Buffer as NodeBuffer } from 'node:buffer';
import { checkBufferSize, DTYPE_INFO, type DType, type TypedArray } from '../ir/index.js';
import { loadKernelLibrary } from './kernel-cache.js';
import { nativeAddon, type Kernel } from './native.js';

const ALIGN = 64;
const HUGE = 2 << 20;
/** Arrays from this size on get huge pages. */
export const HUGE_MIN = 4 << 20;

/**
 * C helpers run like kernels. graft_advise_huge: bufs[0] is the memory, bufs[1] a double holding its byte
 * length. graft_keep_freed_memory: typed arrays are V8 backing stores from malloc; glibc serves blocks from
 * 128 KiB up with mmap and returns them (and trims the top of its heap) to the OS when freed, so the fresh
 * outputs of every training step would be page-faulted in again. Keeping freed blocks (up to MMAP_MAX each,
 * TRIM_MAX in all) lets the next step reuse pages that are already mapped.
 */
const SUPPORT_C = `
#include <stdint.h>
#include <sys/mman.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
int graft_keep_freed_memory(void **bufs) {
  (void)bufs;
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, ${64 << 20});
  mallopt(M_TRIM_THRESHOLD, ${256 << 20});
#endif
  return 0;
}
int graft_advise_huge(void **bufs) {
  const uintptr_t p = (uintptr_t)bufs[0];
  const double n = *(const double *)bufs[1];
  const uintptr_t a = (p + ${HUGE}u - 1) & ~(uintptr_t)(${HUGE}u - 1);
  const uintptr_t e = (p + (uintptr_t)n) & ~(uintptr_t)(${HUGE}u - 1);
  if (e > a) madvise((void *)a, e - a, MADV_HUGEPAGE);
  return 0;
}
`;

let advise: Kernel | null | undefined;

function adviseKernel(): Kernel | null {
  if (advise === undefined) {
    try {
      const lib = loadKernelLibrary(SUPPORT_C);
      advise = lib.kernel('graft_advise_huge');
      lib.kernel('graft_keep_freed_memory').call([], []);
    } catch {
      advise = null; // no madvise: small pages work too
    }
  }
  return advise;
}

/** An uninitialized typed array of n elements (see above for alignment and huge pages). */
export function hostArray(dtype: DType, n: number): TypedArray {
  checkBufferSize(dtype, n, `cpu: a buffer of ${n} ${dtype} elements`);
  const info = DTYPE_INFO[dtype];
  const bytes = n * info.bytes;
  const k = adviseKernel();
  if (bytes >= HUGE_MIN) {
    if (k) {
      const raw = NodeBuffer.allocUnsafeSlow(bytes + HUGE);
      k.call([raw, Float64Array.of(raw.byteLength)], [raw.byteLength, 8]);
      const offset = (HUGE - nativeAddon().addressMod(raw, HUGE)) % HUGE;
      return new info.array(raw.buffer, raw.byteOffset + offset, n);
    }
  }
  const raw = NodeBuffer.allocUnsafeSlow(bytes + ALIGN - 1);
  const offset = (ALIGN - nativeAddon().addressMod(raw, ALIGN)) % ALIGN;
  return new info.array(raw.buffer, raw.byteOffset + offset, n);
}

/** A zero-filled hostArray. */
export function zeroedHostArray(dtype: DType, n: number): TypedArray {
  const a = hostArray(dtype, n);
  a.fill(0);
  return a;
}
