/**
 * The largest buffer a host device can allocate, and the check made before allocating: a size over it is an
 * OutOfMemoryError (a DeviceError) naming the bytes (and, where known, the shape), never Node's own RangeError from deep inside
 * the allocator. Creation ops check eagerly (as PyTorch allocates at once); the runtime checks every buffer.
 */
import { constants } from 'node:buffer';
import { DTYPE_INFO, type DType } from './dtype.js';
import { OutOfMemoryError } from './errors.js';

/**
 * Node's limit for one Buffer, less the alignment slack host memory adds (a 2 MiB huge-page alignment).
 * `GRAFT_MAX_BUFFER_BYTES` lowers it (read once, at load): the fuzzers run with a small limit so that no input
 * can make them allocate gigabytes.
 */
export const MAX_BUFFER_BYTES = Math.min(constants.MAX_LENGTH - (4 << 20), envLimit(process.env.GRAFT_MAX_BUFFER_BYTES));

function envLimit(v: string | undefined): number {
  const n = v === undefined || v === '' ? Infinity : Number(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : Infinity;
}

/**
 * Throw a DeviceError when `numel` elements of `dtype` would not fit in one buffer. `what` says what was being
 * allocated ("empty(): a float32 tensor of shape [1000000, 1000000] on cpu"); by default the element count.
 */
export function checkBufferSize(dtype: DType, numel: number, what?: string): void {
  const bytes = numel * DTYPE_INFO[dtype].bytes;
  if (bytes <= MAX_BUFFER_BYTES) return;
  throw new OutOfMemoryError(
    `${what ?? `${numel} ${dtype} elements`}: can't allocate memory: you tried to allocate ${bytes} bytes; the largest buffer graft can allocate is ${MAX_BUFFER_BYTES} bytes`,
  );
}
