/**
 * Index values on the host: the eager side of data-dependent indexing. Integer index tensors whose values
 * are already known (a buffer, or a realized node) are bounds-checked before anything is built, with
 * PyTorch's messages; lazy ones are left to the kernels' own bounds checks. Boolean masks are realized
 * and turned into coordinates (their result shapes depend on the data).
 */
import { DTypeError, IndexError, isInt, type DType, type Shape, type TypedArray } from '../ir/index.js';
import { realizeNodes } from '../runtime/index.js';
import { hostValues } from './convert.js';
import { fromValues } from './creation.js';
import { Tensor } from './tensor.js';
import { capture } from './capture-hooks.js';

/** The values of `t` (row-major) when they are known without computing anything, else null. */
export function knownValues(t: Tensor): TypedArray | null {
  const n = t.node;
  // While a step is captured, values are those of one call: the kernels check the indices of every replay.
  if (capture.hooks !== null || (n.op !== 'buffer' && n.realized === null)) return null;
  const [buf] = realizeNodes([n], t._device);
  return t._device.toHost(buf!);
}

/** Throw an IndexError for the first known value outside [lo, hi) (int64 values compare exactly). */
export function checkRange(vals: TypedArray | null, lo: number, hi: number, message: (v: number | bigint) => string): void {
  if (vals === null) return;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (v < lo || v >= hi) throw new IndexError(message(v));
  }
}

/**
 * Index values as numbers, for host-side arithmetic on indices already checked against a dimension (int64
 * values in range are small, so exact as numbers).
 */
export function indexNumbers(vals: TypedArray): ArrayLike<number> {
  return vals instanceof BigInt64Array ? Float64Array.from(vals, Number) : vals;
}

/**
 * @internal Require an index tensor: int64 (torch.long), as PyTorch's gather, scatter and take do, or also
 * int32 where PyTorch takes it (index_select, advanced indexing, embedding).
 */
export function checkIndexTensor(op: string, index: unknown, what = 'index', allowInt32 = false): asserts index is Tensor {
  if (!(index instanceof Tensor)) throw new DTypeError(`${op}(): argument '${what}' must be a Tensor, not ${typeof index}`);
  const ok: DType[] = allowInt32 ? ['int64', 'int32'] : ['int64'];
  if (!ok.includes(index.dtype)) {
    throw new DTypeError(`${op}(): Expected dtype ${ok.join(' or ')} for ${what}, got ${index.dtype}`);
  }
}

/** The dtype index arithmetic on `indices` runs in: int64 if any is int64 (a cast down could wrap), else int32. */
export function indexWorkType(indices: readonly { dtype: DType }[]): DType {
  return indices.some((i) => i.dtype === 'int64' || !isInt(i.dtype)) ? 'int64' : 'int32';
}

/** Coordinates of the true (non-zero) elements of `t`, one Int32Array per dim, in row-major order (bool or numbers). */
export function nonzeroCoords(t: Tensor): { coords: Int32Array[]; count: number } {
  const vals = hostValues(t);
  const shape: Shape = t.shape;
  let count = 0;
  for (let i = 0; i < vals.length; i++) if (isNonzero(vals[i]!)) count++;
  const coords = shape.map(() => new Int32Array(count));
  const idx = new Array<number>(shape.length).fill(0);
  let k = 0;
  for (let i = 0; i < vals.length; i++) {
    if (isNonzero(vals[i]!)) {
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

/** A 1-d int64 tensor (PyTorch's index dtype) of host values on `device`. */
export function intTensor(vals: ArrayLike<number>, device: string, shape: Shape = [vals.length]): Tensor {
  return fromValues(BigInt64Array.from(vals, (v) => BigInt(v)), shape, 'int64', device);
}

const isNonzero = (v: number | bigint): boolean => v !== 0 && v !== 0n;
