/**
 * Advanced (integer-tensor) indexing in IR: `x[i0, :, i1]` reads and `x[i0, :, i1] = v` writes, built on
 * the `gather` and `scatterAdd` primitives.
 *
 * The indexed dims are moved to the front and flattened into one row index, the others into one column:
 * src [D, R]. The index tensors broadcast to a shape B (N elements) and combine into one row number per
 * element (negative indices wrapped). A read is one gather of [N, R]; a write scatters [N, R] values into
 * the [D, R] rows. With several index tensors an index that is out of range in its own dim is mapped to
 * row D, so the kernel's bounds check still reports it instead of reading a neighbouring row.
 *
 * Result layout (PyTorch's rule): when the indexed dims are adjacent, the B dims replace them in place;
 * when other dims separate them, the B dims come first.
 */
import { broadcastAll, build, fmtShape, IndexError, isFloat, numel, ShapeError, stridedCopy, type Node, type Shape, type TypedArray } from '../ir/index.js';

export interface AdvancedPlan {
  readonly inShape: Shape;
  /** Indexed dims (ascending) and their sizes. */
  readonly dims: readonly number[];
  readonly sizes: readonly number[];
  /** The broadcast shape of the index tensors. */
  readonly bshape: readonly number[];
  readonly restShape: readonly number[];
  /** permute(input, perm) puts the indexed dims first. */
  readonly perm: readonly number[];
  /** Where the B dims go in the result. */
  readonly pos: number;
  readonly resultShape: readonly number[];
}

export function planAdvanced(inShape: Shape, dims: readonly number[], indexShapes: readonly Shape[]): AdvancedPlan {
  let bshape: number[];
  try {
    bshape = broadcastAll([...indexShapes]);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    throw new IndexError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${indexShapes.map((s) => fmtShape(s)).join(', ')}`);
  }
  const rest = inShape.map((_, i) => i).filter((i) => !dims.includes(i));
  const restShape = rest.map((i) => inShape[i]!);
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  const pos = adjacent ? dims[0]! : 0;
  const resultShape = [...restShape.slice(0, pos), ...bshape, ...restShape.slice(pos)];
  return { inShape, dims, sizes: dims.map((d) => inShape[d]!), bshape, restShape, perm: [...dims, ...rest], pos, resultShape };
}

const rowsOf = (p: AdvancedPlan): number => numel(p.sizes);
const colsOf = (p: AdvancedPlan): number => numel(p.restShape);

/** The input as [D, R]: indexed dims first, flattened. */
function toRows(p: AdvancedPlan, x: Node): Node {
  return build.reshape(build.permute(x, p.perm), [rowsOf(p), colsOf(p)]);
}

/** [D, R] back to the input's layout. */
function fromRows(p: AdvancedPlan, rows: Node): Node {
  const inv = new Array<number>(p.perm.length);
  p.perm.forEach((q, i) => (inv[q] = i));
  return build.permute(build.reshape(rows, [...p.sizes, ...p.restShape]), inv);
}

/** Permutation taking [B..., rest...] to the result layout (B at `pos`). */
function resultPerm(p: AdvancedPlan): number[] {
  const nb = p.bshape.length;
  const nr = p.restShape.length;
  const idx = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
  return [...idx(p.pos).map((i) => nb + i), ...idx(nb), ...idx(nr - p.pos).map((i) => nb + p.pos + i)];
}

/**
 * The row number of each index element, [N, R] (expanded over the columns): int32 when every index is
 * int32, else int64 (an int64 index is never cast down: a wrapped value could land in range).
 */
function rowIndex(p: AdvancedPlan, idx: readonly Node[]): Node {
  const b = p.bshape;
  const t = idx.some((i) => i.dtype === 'int64') ? 'int64' : 'int32';
  const c = (v: number): Node => build.constant(v, t, b);
  const wrapped = idx.map((i, k) => {
    const x = build.broadcastTo(build.cast(i, t), b);
    return build.where(build.binary('lt', x, c(0)), build.binary('add', x, c(p.sizes[k]!)), x);
  });
  let row = wrapped[0]!;
  if (wrapped.length > 1) {
    let stride = 1;
    let sum: Node | null = null;
    let ok: Node | null = null;
    for (let k = wrapped.length - 1; k >= 0; k--) {
      const w = wrapped[k]!;
      const term = stride === 1 ? w : build.binary('mul', w, c(stride));
      sum = sum === null ? term : build.binary('add', term, sum);
      const inside = build.binary('and', build.binary('ge', w, c(0)), build.binary('lt', w, c(p.sizes[k]!)));
      ok = ok === null ? inside : build.binary('and', inside, ok);
      stride *= p.sizes[k]!;
    }
    row = build.where(ok!, sum!, c(rowsOf(p)));
  }
  const n = numel(b);
  return build.expand(build.reshape(row, [n, 1]), [n, colsOf(p)]);
}

/** x[idx...] for the plan: a gather. */
export function gatherAdvanced(p: AdvancedPlan, x: Node, idx: readonly Node[]): Node {
  const g = build.gather(toRows(p, x), rowIndex(p, idx), 0);
  const out = build.reshape(g, [...p.bshape, ...p.restShape]);
  return build.permute(out, resultPerm(p));
}

export interface ScatterMode {
  accumulate: boolean;
  /**
   * Without accumulate, several index elements naming one position leave PyTorch's result undefined. When
   * the indices are known, `last` (bool, shape B) marks the last writer of each position, which is what a
   * sequential loop leaves; when they are lazy (null) the duplicates' mean is written (exact when they write
   * equal values, the common case). Shaped like the index elements (B here; the index for scatterRows).
   */
  last: Node | null;
}

/** The input with x[idx...] replaced (or, accumulating, incremented) by `values` (result-shaped, x's dtype). */
export function scatterAdvanced(p: AdvancedPlan, x: Node, idx: readonly Node[], values: Node, mode: ScatterMode): Node {
  const dtype = x.dtype;
  const work = dtype === 'bool' ? 'int32' : dtype;
  const n = numel(p.bshape);
  const cols = colsOf(p);
  const rows = rowsOf(p);
  const inv = new Array<number>(p.resultShape.length);
  resultPerm(p).forEach((q, i) => (inv[q] = i));
  const v = build.reshape(build.permute(build.cast(values, work), inv), [n, cols]);
  const base = build.cast(toRows(p, x), work);
  const where = rowIndex(p, idx);
  const last = mode.last === null ? null : build.expand(build.reshape(mode.last, [n, 1]), [n, cols]);
  const out = scatterRows(base, where, v, { accumulate: mode.accumulate, last }, 0);
  return build.cast(fromRows(p, out), dtype);
}

/**
 * @internal base with `values` scattered along `axis` at `index` (shapes as the scatterAdd primitive):
 * added when accumulating, else written (see ScatterMode for duplicates). `last` is shaped like `index`.
 */
export function scatterRows(base: Node, index: Node, values: Node, mode: ScatterMode, axis: number): Node {
  if (mode.accumulate) return build.scatterAdd(base, index, values, axis);
  const t = base.dtype;
  const zeros = build.constant(0, t, base.shape);
  const ones = build.constant(1, t, values.shape);
  const count = build.scatterAdd(zeros, index, ones, axis);
  const hit = build.binary('gt', count, build.constant(0, t, base.shape));
  if (mode.last !== null) {
    const kept = build.where(build.broadcastTo(mode.last, values.shape), values, build.constant(0, t, values.shape));
    return build.where(hit, build.scatterAdd(zeros, index, kept, axis), base);
  }
  const sum = build.scatterAdd(zeros, index, values, axis);
  const safe = build.binary('max', count, build.constant(1, t, base.shape));
  const mean = build.binary(isFloat(t) ? 'div' : 'idiv', sum, safe);
  return build.where(hit, mean, base);
}

/** @internal Values of an index (already range-checked) broadcast to `b` (host side, row-major). */
export function broadcastHost(vals: TypedArray, shape: Shape, b: Shape): Float64Array {
  const n = numel(b);
  const out = new Float64Array(n);
  const off = b.length - shape.length;
  const srcStrides = new Array<number>(b.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1) srcStrides[i + off] = acc;
    acc *= shape[i]!;
  }
  stridedCopy(vals instanceof BigInt64Array ? Float64Array.from(vals, Number) : vals, out, b, srcStrides);
  return out;
}

/** @internal For target positions written in order, mark the last writer of each (1) — a bool mask. */
export function lastWriters(targets: ArrayLike<number>): Uint8Array {
  const last = new Map<number, number>();
  for (let i = 0; i < targets.length; i++) last.set(targets[i]!, i);
  const out = new Uint8Array(targets.length);
  for (const i of last.values()) out[i] = 1;
  return out;
}

/** @internal Row numbers (host side) of known indices, wrapped; for `lastWriters`. */
export function hostRows(p: AdvancedPlan, idx: readonly { vals: TypedArray; shape: Shape }[]): Int32Array {
  const n = numel(p.bshape);
  const rows = new Int32Array(n);
  let stride = 1;
  for (let k = idx.length - 1; k >= 0; k--) {
    const v = broadcastHost(idx[k]!.vals, idx[k]!.shape, p.bshape);
    const size = p.sizes[k]!;
    for (let i = 0; i < n; i++) rows[i] = rows[i]! + (v[i]! < 0 ? v[i]! + size : v[i]!) * stride;
    stride *= size;
  }
  return rows;
}
