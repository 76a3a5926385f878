/**
 * Index values on the host: the eager side of data-dependent indexing. Integer index tensors whose values
 * are already known (a buffer, or a realized node) are bounds-checked before anything is built, with
 * PyTorch's messages; lazy ones are left to the kernels' own bounds checks. Boolean masks are realized
 * and turned into coordinates (their result shapes depend on the data).
 */
import { DTypeError, IndexError, type Shape, type TypedArray } from '../ir/index.js';
import { realizeNodes } from '../runtime/index.js';
import { hostValues } from './convert.js';
import { fromValues } from './creation.js';
import { Tensor } from './tensor.js';

/** The values of `t` (row-major) when they are known without computing anything, else null. */
export function knownValues(t: Tensor): TypedArray | null {
  const n = t.node;
  if (n.op !== 'buffer' && n.realized === null) return null;
  const [buf] = realizeNodes([n], t._device);
  return t._device.toHost(buf!);
}

/** Throw an IndexError for the first known value outside [lo, hi). */
export function checkRange(vals: TypedArray | null, lo: number, hi: number, message: (v: number) => string): void {
  if (vals === null) return;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (v < lo || v >= hi) throw new IndexError(message(v));
  }
}

/** @internal Require an integer index tensor (graft's long is int32). */
export function checkIndexTensor(op: string, index: unknown, what = 'index'): asserts index is Tensor {
  if (!(index instanceof Tensor)) throw new DTypeError(`${op}(): argument '${what}' must be a Tensor, not ${typeof index}`);
  if (index.dtype !== 'int32') throw new DTypeError(`${op}(): Expected dtype int32 (torch.long) for ${what}, got ${index.dtype}`);
}

/** Coordinates of the true (non-zero) elements of `t`, one Int32Array per dim, in row-major order. */
export function nonzeroCoords(t: Tensor): { coords: Int32Array[]; count: number } {
  const vals = hostValues(t);
  const shape: Shape = t.shape;
  let count = 0;
  for (let i = 0; i < vals.length; i++) if (vals[i] !== 0) count++;
  const coords = shape.map(() => new Int32Array(count));
  const idx = new Array<number>(shape.length).fill(0);
  let k = 0;
  for (let i = 0; i < vals.length; i++) {
    if (vals[i] !== 0) {
      for (let d = 0; d < shape.length; d++) coords[d]![k] = idx[d]!;
      k++;
    }
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { coords, count };
}

/** A 1-d int32 tensor of host values on `device`. */
export function intTensor(vals: Int32Array, device: string, shape: Shape = [vals.length]): Tensor {
  return fromValues(vals, shape, 'int32', device);
}
