import type { BufferRef, DType, TypedArray } from '../ir/index.js';

let nextBufferId = 1;

/**
 * Memory owned by a device. On host devices (cpu, interp) it is a typed array over a JS ArrayBuffer: V8 owns
 * and frees it, and the addon and typed-array views use it without copying. `host` may be swapped for
 * another array of the same size (copy-on-write of memory shared with JS, see Tensor).
 */
export class Buffer implements BufferRef {
  readonly id = nextBufferId++;
  /**
   * The memory is also held by JS (numpy(), fromNumpy) and may change at any time without graft knowing:
   * values computed from it are not cached on their nodes (see realize.ts).
   */
  jsShared = false;
  constructor(
    readonly device: string,
    readonly dtype: DType,
    readonly size: number,
    public host: TypedArray | null,
    /** Device memory handle (pointer as bigint) for non-host devices. */
    public handle: bigint | null = null,
  ) {}
}
