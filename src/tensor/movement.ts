/**
 * Movement ops that PyTorch makes views: they share the base's storage, so a write through the result
 * changes the base and a write to the base shows through the result. Each is a chain of view ops
 * (reshape, permute, expand, slice) appended with `makeView`, which also tracks PyTorch's strides.
 * `reshape`/`flatten` are views when the strides allow it and copies otherwise, as in PyTorch;
 * `contiguous()` returns the tensor itself when it already is contiguous.
 */
import {
  ArgumentError,
  build,
  fmtShape,
  IndexError,
  inferShape,
  normDim,
  normDims,
  numel,
  ShapeError,
  ValueError,
  type Shape,
} from '../ir/index.js';
import { defineOptions, describeValue, int } from './options.js';
import { checkTensor } from './reduce-args.js';
import { applyOp, makeView, reshapeStrides, Tensor, type ViewOp } from './tensor.js';

/** A list of sizes or dims given either spread (`view(2, 3)`) or as one array (`view([2, 3])`). */
export type SizeArgs = readonly (number | readonly number[])[];

/** @internal Flatten spread-or-array size arguments, checking they are integers. */
export function sizesOf(op: string, args: SizeArgs): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as readonly unknown[]);
  list.forEach((d, i) => {
    if (!Number.isSafeInteger(d)) throw new ArgumentError(`${op}(): expected a list of integers, but found ${describeValue(d)} at position ${i}`);
  });
  return [...(list as number[])];
}

/** @internal A `dim` given positionally or as `{ dim }`. */
export function dimArg(arg: number | { dim?: number } | undefined | null, dflt: number, op = 'dim'): number {
  if (arg === undefined || arg === null) return dflt;
  if (typeof arg === 'number') return arg;
  if (typeof arg === 'object' && !Array.isArray(arg) && !(arg instanceof Tensor)) {
    const keys = Object.keys(arg).filter((k) => k !== 'dim');
    if (keys.length) throw new ArgumentError(`${op}() got an unexpected keyword argument '${keys[0]}'; the options of ${op} are: dim`);
    return arg.dim ?? dflt;
  }
  throw new ArgumentError(`${op}(): argument 'dim' must be an integer, not ${describeValue(arg)}`);
}

const isInts = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isSafeInteger(d));
/** @internal A dim or a list of dims (checked to be integers; the range is the op's check). */
function dimsArg(op: string, name: string, v: unknown): number | number[] {
  if (Number.isSafeInteger(v)) return v as number;
  if (isInts(v)) return v;
  throw new ArgumentError(`${op}(): argument '${name}' must be an integer or a list of integers, not ${describeValue(v)}`);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** @internal View op: reshape to `shape`. */
export const reshapeOp = (shape: Shape): ViewOp => ({ kind: 'reshape', shape: [...shape] });
/** @internal View op: permute by `perm`. */
export const permuteOp = (perm: readonly number[]): ViewOp => ({ kind: 'permute', perm: [...perm] });
/** @internal View op: elements start, start+step, ... (size of them) along `dim`, everything along the others. */
export function sliceOp(shape: Shape, dim: number, start: number, size: number, step = 1): ViewOp {
  return {
    kind: 'slice',
    start: shape.map((_, i) => (i === dim ? start : 0)),
    size: shape.map((d, i) => (i === dim ? size : d)),
    step: shape.map((_, i) => (i === dim ? step : 1)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reshaping

const VIEW_STRIDE_ERROR =
  "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.";

/** x.view(2, 3) / x.view([-1, 3]): a view with a new shape; fails when the strides do not allow one. */
export function view(x: Tensor, ...shape: SizeArgs): Tensor {
  checkTensor('view', x);
  const target = inferShape(sizesOf('view', shape), x.numel(), x.shape, 'view');
  if (reshapeStrides(x.shape, x._strides, target) === null) {
    throw new ShapeError(`view: ${VIEW_STRIDE_ERROR} (shape ${fmtShape(x.shape)}, stride ${fmtShape(x._strides)}, requested ${fmtShape(target)})`);
  }
  return makeView('ViewBackward0', x, [reshapeOp(target)]);
}

/** @internal Reshape to a resolved shape: a view when the strides allow it, else a copy (as at::reshape). */
export function reshapeTo(x: Tensor, target: Shape): Tensor {
  if (reshapeStrides(x.shape, x._strides, target) !== null) return makeView('ViewBackward0', x, [reshapeOp(target)]);
  const copy = applyOp('CloneBackward0', [x], ([n]) => build.contiguous(n!));
  return applyOp('UnsafeViewBackward0', [copy], ([n]) => build.reshape(n!, target));
}

/** torch.reshape: a view when possible, else a copy. */
export function reshape(x: Tensor, ...shape: SizeArgs): Tensor {
  checkTensor('reshape', x);
  return reshapeTo(x, inferShape(sizesOf('reshape', shape), x.numel(), x.shape, 'reshape'));
}

export function viewAs(x: Tensor, other: Tensor): Tensor {
  checkTensor('viewAs', other, 'other');
  return view(x, other.shape);
}
export function reshapeAs(x: Tensor, other: Tensor): Tensor {
  checkTensor('reshapeAs', other, 'other');
  return reshape(x, other.shape);
}

/** torch.flatten: dims startDim..endDim merged into one (a view when possible). */
const FLATTEN_OPTIONS = defineOptions('flatten', { startDim: int.optional(), endDim: int.optional() });

export function flatten(x: Tensor, startDim: number | { startDim?: number; endDim?: number } = 0, endDim = -1): Tensor {
  checkTensor('flatten', x);
  if (typeof startDim === 'object' && startDim !== null) {
    FLATTEN_OPTIONS.check(startDim);
    endDim = startDim.endDim ?? -1;
    startDim = startDim.startDim ?? 0;
  }
  const r = x.dim();
  if (r === 0) return reshapeTo(x, [1]);
  const s = normDim(startDim, r, 'flatten');
  const e = normDim(endDim, r, 'flatten');
  if (s > e) throw new ValueError('flatten: flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return x;
  const shape = x.shape;
  return reshapeTo(x, [...shape.slice(0, s), numel(shape.slice(s, e + 1)), ...shape.slice(e + 1)]);
}

/** torch.unflatten: split dim into `sizes` (one may be -1). Always a view. */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  checkTensor('unflatten', x);
  if (!isInts(sizes)) throw new ArgumentError(`unflatten(): argument 'sizes' must be a list of integers, not ${describeValue(sizes)}`);
  const shape = x.shape;
  const d = normDim(dim, shape.length, 'unflatten');
  if (sizes.length === 0) throw new ValueError('unflatten: sizes must be non-empty');
  const n = shape[d]!;
  const inferred = sizes.filter((s) => s === -1).length;
  if (inferred > 1) throw new ValueError('unflatten: only one dimension can be inferred');
  const known = sizes.reduce((a, s) => (s === -1 ? a : a * s), 1);
  const bad = inferred ? known === 0 || n % known !== 0 : known !== n;
  if (bad || sizes.some((s) => !Number.isInteger(s) || s < -1)) {
    throw new ShapeError(`unflatten: Provided sizes ${fmtShape(sizes)} don't multiply up to the size of dim ${dim} (${n}) in the input tensor`);
  }
  const resolved = sizes.map((s) => (s === -1 ? n / known : s));
  return reshapeTo(x, [...shape.slice(0, d), ...resolved, ...shape.slice(d + 1)]);
}

/** torch.squeeze: drop dims of size 1 (all of them, or those among `dim`). */
export function squeeze(x: Tensor, dim?: number | readonly number[] | { dim?: number | readonly number[] } | null): Tensor {
  checkTensor('squeeze', x);
  if (dim !== null && typeof dim === 'object' && !Array.isArray(dim)) dim = (dim as { dim?: number | readonly number[] }).dim;
  if (dim !== undefined && dim !== null) dim = dimsArg('squeeze', 'dim', dim);
  const shape = x.shape;
  const r = shape.length;
  let dims: number[];
  let name: string;
  if (dim === undefined || dim === null) {
    dims = range(r).filter((i) => shape[i] === 1);
    name = 'SqueezeBackward0';
  } else if (typeof dim === 'number') {
    const d = normDim(dim, r, 'squeeze');
    dims = shape[d] === 1 ? [d] : [];
    name = 'SqueezeBackward1';
  } else {
    dims = normDims(dim as readonly number[], r, 'squeeze').filter((d) => shape[d] === 1);
    name = 'SqueezeBackward2';
  }
  return makeView(name, x, [reshapeOp(shape.filter((_, i) => !dims.includes(i)))]);
}

/** torch.unsqueeze: a new dim of size 1 at `dim` (in [-ndim-1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor('unsqueeze', x);
  const shape = x.shape;
  const d = normDim(dim, shape.length + 1, 'unsqueeze');
  return makeView('UnsqueezeBackward0', x, [reshapeOp([...shape.slice(0, d), 1, ...shape.slice(d)])]);
}

// ---------------------------------------------------------------------------------------------------------
// Reordering dims

/** torch.permute */
export function permute(x: Tensor, ...dims: SizeArgs): Tensor {
  checkTensor('permute', x);
  const d = sizesOf('permute', dims);
  const r = x.dim();
  if (d.length !== r) {
    throw new ShapeError(
      `permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${r} is not equal to len(dims) = ${d.length}`,
    );
  }
  const perm = d.map((v) => normDim(v, r, 'permute'));
  if (new Set(perm).size !== r) throw new ShapeError(`permute(): duplicate dims are not allowed (dims ${fmtShape(d)})`);
  return makeView('PermuteBackward0', x, [permuteOp(perm)]);
}

function swapPerm(r: number, a: number, b: number): number[] {
  const perm = range(r);
  perm[a] = b;
  perm[b] = a;
  return perm;
}

/** torch.transpose / swapaxes / swapdims: exchange two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor('transpose', x);
  const r = x.dim();
  const a = normDim(dim0, r, 'transpose');
  const b = normDim(dim1, r, 'transpose');
  return makeView('TransposeBackward0', x, a === b || r < 2 ? [] : [permuteOp(swapPerm(r, a, b))]);
}
export const swapaxes = transpose;
export const swapdims = transpose;

/** torch.t: transpose of a matrix; 0-d and 1-d tensors are returned as (views of) themselves. */
export function t(x: Tensor): Tensor {
  checkTensor('t', x);
  const r = x.dim();
  if (r > 2) throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but self is ${r}D`);
  return makeView('TBackward0', x, r < 2 ? [] : [permuteOp([1, 0])]);
}

/** torch.movedim / moveaxis: move dims `source` to positions `destination`, the others keep their order. */
export function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  checkTensor('movedim', x);
  const s0 = dimsArg('movedim', 'source', source);
  const d0 = dimsArg('movedim', 'destination', destination);
  const src = typeof s0 === 'number' ? [s0] : s0;
  const dst = typeof d0 === 'number' ? [d0] : d0;
  const r = x.dim();
  if (src.length !== dst.length) {
    throw new ValueError(
      `movedim: Invalid source or destination dims: source (${fmtShape(src)} dims) should contain the same number of dims as destination (${fmtShape(dst)} dims)`,
    );
  }
  const s = src.map((d) => normDim(d, r, 'movedim'));
  const t_ = dst.map((d) => normDim(d, r, 'movedim'));
  if (new Set(s).size !== s.length) throw new ValueError(`movedim: repeated dim in \`source\` (${fmtShape(src)})`);
  if (new Set(t_).size !== t_.length) throw new ValueError(`movedim: repeated dim in \`destination\` (${fmtShape(dst)})`);
  if (r === 0) return makeView('PermuteBackward0', x, []);
  const perm = new Array<number>(r).fill(-1);
  s.forEach((d, i) => (perm[t_[i]!] = d));
  const rest = range(r).filter((d) => !s.includes(d));
  for (let i = 0, k = 0; i < r; i++) if (perm[i] === -1) perm[i] = rest[k++]!;
  return makeView('PermuteBackward0', x, [permuteOp(perm)]);
}
export const moveaxis = movedim;

// ---------------------------------------------------------------------------------------------------------
// Broadcasting views

/** x.expand(2, 3): a view repeating size-1 dims (stride 0); -1 keeps a size; new dims may be added in front. */
export function expand(x: Tensor, ...sizes: SizeArgs): Tensor {
  checkTensor('expand', x);
  const target = sizesOf('expand', sizes);
  const shape = x.shape;
  const r = shape.length;
  const extra = target.length - r;
  const what = `(shape ${fmtShape(shape)}, size=${fmtShape(target)})`;
  if (extra < 0) {
    throw new ShapeError(
      `expand: the number of sizes provided (${target.length}) must be greater or equal to the number of dimensions in the tensor (${r}) ${what}`,
    );
  }
  const out = target.map((s, i) => {
    if (i < extra) {
      if (s < 0) throw new ShapeError(`expand: The expanded size of the tensor (${s}) isn't allowed in a leading, non-existing dimension ${i} ${what}`);
      return s;
    }
    const cur = shape[i - extra]!;
    if (s === -1) return cur;
    if (s < 0 || (s !== cur && cur !== 1)) {
      throw new ShapeError(
        `expand: The expanded size of the tensor (${s}) must match the existing size (${cur}) at non-singleton dimension ${i}.  Target sizes: ${fmtShape(target)}.  Tensor sizes: ${fmtShape(shape)}`,
      );
    }
    return s;
  });
  const ops: ViewOp[] = [];
  if (extra > 0) ops.push(reshapeOp([...Array<number>(extra).fill(1), ...shape]));
  ops.push({ kind: 'expand', shape: out });
  return makeView('ExpandBackward0', x, ops);
}

export function expandAs(x: Tensor, other: Tensor): Tensor {
  checkTensor('expandAs', other, 'other');
  return expand(x, other.shape);
}

/** torch.broadcast_to */
export const broadcastTo = (x: Tensor, shape: readonly number[]): Tensor => expand(x, shape);

// ---------------------------------------------------------------------------------------------------------
// Slicing views

/** torch.narrow: `length` elements of `dim` from `start` (negative start counts from the end). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', x);
  const shape = x.shape;
  if (shape.length === 0) throw new IndexError('narrow() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, shape.length, 'narrow');
  const n = shape[d]!;
  if (!Number.isInteger(start) || start < -n || start > n) {
    throw new IndexError(`narrow(): start out of range (expected to be in range of [${-n}, ${n}], but got ${start})`);
  }
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(length) || length < 0) throw new ValueError(`narrow(): length must be non-negative (got ${length})`);
  if (s + length > n) throw new IndexError(`narrow(): start (${s}) + length (${length}) exceeds dimension size (${n}).`);
  return makeView('SliceBackward0', x, [sliceOp(shape, d, s, length)]);
}

/** @internal Python slice start:stop:step (step > 0) of one dim, bounds clamped. */
export function sliceDim(x: Tensor, dim: number, start: number | undefined, stop: number | undefined, step = 1): Tensor {
  if (step === 0) throw new ValueError('slice step cannot be zero');
  if (step < 0) throw new ValueError(`step must be greater than zero (got ${step})`);
  const shape = x.shape;
  const n = shape[dim]!;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = start === undefined ? 0 : clamp(start);
  const e = stop === undefined ? n : clamp(stop);
  const size = Math.max(0, Math.ceil((e - s) / step));
  // A full slice is the tensor itself (PyTorch skips it too).
  if (s === 0 && size === n && (step === 1 || n <= 1)) return x;
  return makeView('SliceBackward0', x, [sliceOp(shape, dim, s, size, step)]);
}

/** @internal select without the range check (index already in [0, n)). */
export function selectAt(x: Tensor, d: number, i: number): Tensor {
  const shape = x.shape;
  return makeView('SelectBackward0', x, [sliceOp(shape, d, i, 1), reshapeOp(shape.filter((_, k) => k !== d))]);
}

/** torch.select: index `index` of `dim`, that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor('select', x);
  const shape = x.shape;
  if (shape.length === 0) throw new IndexError('select() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, shape.length, 'select');
  const n = shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new IndexError(`select(): index ${index} out of range for tensor of size ${fmtShape(shape)} at dimension ${d}`);
  }
  return selectAt(x, d, index < 0 ? index + n : index);
}

/** torch.split: pieces of `splitSize` along dim (the last may be smaller), or pieces of the given sizes. Views. */
export function split(x: Tensor, splitSize: number | readonly number[], dim: number | { dim?: number } = 0): Tensor[] {
  checkTensor('split', x);
  if (typeof splitSize !== 'number' && !isInts(splitSize)) {
    throw new ArgumentError(`split(): argument 'split_size' must be an integer or a list of integers, not ${describeValue(splitSize)}`);
  }
  const shape = x.shape;
  if (shape.length === 0) throw new ShapeError('split: split expects at least a 1-dimensional tensor');
  const d = normDim(dimArg(dim, 0, 'split'), shape.length, 'split');
  const n = shape[d]!;
  let sizes: number[];
  let name: string;
  if (typeof splitSize === 'number') {
    if (!Number.isInteger(splitSize) || splitSize < 0) throw new ValueError(`split expects split_size be non-negative, but got split_size=${splitSize}`);
    if (splitSize === 0 && n !== 0) throw new ValueError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${n}`);
    const count = splitSize === 0 ? 1 : Math.max(Math.ceil(n / splitSize), 1);
    sizes = range(count).map((i) => Math.min(splitSize, n - i * splitSize));
    name = 'SplitBackward0';
  } else {
    sizes = [...splitSize];
    if (sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new ValueError(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${fmtShape(sizes)}`);
    }
    if (sizes.reduce((a, b) => a + b, 0) !== n) {
      throw new ValueError(
        `split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(sizes)}`,
      );
    }
    name = 'SplitWithSizesBackward0';
  }
  let off = 0;
  return sizes.map((len) => {
    const piece = makeView(name, x, [sliceOp(shape, d, off, len)]);
    off += len;
    return piece;
  });
}

/** torch.chunk: `chunks` pieces of ceil(n / chunks) along dim (fewer when they run out). Views. */
export function chunk(x: Tensor, chunks: number, dim: number | { dim?: number } = 0): Tensor[] {
  checkTensor('chunk', x);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const shape = x.shape;
  if (shape.length === 0) throw new ShapeError('chunk: chunk expects at least a 1-dimensional tensor');
  const d = normDim(dimArg(dim, 0, 'chunk'), shape.length, 'chunk');
  const n = shape[d]!;
  if (n === 0) {
    // PyTorch returns `chunks` empty tensors; a JS array cannot hold more than 2^32 - 1 (and 2^24 tensors is
    // already gigabytes): refused rather than a RangeError.
    if (chunks > 2 ** 24) throw new ValueError(`chunk: cannot return ${chunks} empty chunks of a dimension of size 0`);
    return split(x, Array<number>(chunks).fill(0), d);
  }
  return split(x, Math.ceil(n / chunks), d);
}

/** torch.unbind: every index of dim, that dim removed. Views. */
export function unbind(x: Tensor, dim: number | { dim?: number } = 0): Tensor[] {
  checkTensor('unbind', x);
  const shape = x.shape;
  if (shape.length === 0) throw new IndexError('unbind: Dimension specified as 0 but tensor has no dimensions');
  const d = normDim(dimArg(dim, 0, 'unbind'), shape.length, 'unbind');
  return range(shape[d]!).map((i) =>
    makeView('UnbindBackward0', x, [sliceOp(shape, d, i, 1), reshapeOp(shape.filter((_, k) => k !== d))]),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Memory layout

/** x.contiguous(): x itself when already contiguous, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  checkTensor('contiguous', x);
  if (x.isContiguous()) return x;
  return applyOp('CloneBackward0', [x], ([n]) => build.contiguous(n!));
}

// ---------------------------------------------------------------------------------------------------------
// Methods

declare module './tensor.js' {
  interface Tensor {
    view(...shape: SizeArgs): Tensor;
    viewAs(other: Tensor): Tensor;
    reshape(...shape: SizeArgs): Tensor;
    reshapeAs(other: Tensor): Tensor;
    flatten(startDim?: number | { startDim?: number; endDim?: number }, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    squeeze(dim?: number | readonly number[] | { dim?: number | readonly number[] } | null): Tensor;
    unsqueeze(dim: number): Tensor;
    permute(...dims: SizeArgs): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    swapaxes(dim0: number, dim1: number): Tensor;
    swapdims(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    /** All dims reversed (a view). */
    readonly T: Tensor;
    /** The last two dims swapped (a view). */
    readonly mT: Tensor;
    movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    expand(...sizes: SizeArgs): Tensor;
    expandAs(other: Tensor): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    split(splitSize: number | readonly number[], dim?: number | { dim?: number }): Tensor[];
    chunk(chunks: number, dim?: number | { dim?: number }): Tensor[];
    unbind(dim?: number | { dim?: number }): Tensor[];
    contiguous(): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Record<string, (x: Tensor, ...args: never[]) => unknown> = {
  view,
  viewAs,
  reshape,
  reshapeAs,
  flatten,
  unflatten,
  squeeze,
  unsqueeze,
  permute,
  transpose,
  swapaxes,
  swapdims,
  t,
  movedim,
  moveaxis,
  expand,
  expandAs,
  broadcastTo,
  narrow,
  select,
  split,
  chunk,
  unbind,
  contiguous,
};
for (const [name, fn] of Object.entries(methods)) {
  P[name] = function (this: Tensor, ...args: never[]) {
    return fn(this, ...args);
  };
}
Object.defineProperty(P, 'T', {
  get(this: Tensor) {
    return makeView('PermuteBackward0', this, [permuteOp(range(this.dim()).reverse())]);
  },
});
Object.defineProperty(P, 'mT', {
  get(this: Tensor) {
    const r = this.dim();
    if (r < 2) throw new ShapeError(`tensor.mT is only supported on matrices or batches of matrices. Got ${r}-D tensor.`);
    return makeView('TransposeBackward0', this, [permuteOp(swapPerm(r, r - 2, r - 1))]);
  },
});
