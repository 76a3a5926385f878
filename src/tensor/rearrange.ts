/**
 * Movement ops that PyTorch makes copies: flip, repeat/tile, roll, tril/triu. Each is a new base tensor
 * whose value is an IR expression of the input (flip, reshape + expand, slices + pad + where, iota masks);
 * writes to the result never reach the input, nor the other way round.
 */
import { ArgumentError, build, normDim, normDims, ShapeError, ValueError, type Node } from '../ir/index.js';
import { checked, defineOptions, describeValue, int } from './options.js';
import { checkTensor } from './reduce-args.js';
import { catNodes } from './join.js';
import { sizesOf, type SizeArgs } from './movement.js';
import { applyOp, commitInPlace, Tensor } from './tensor.js';

/** torch.flip: reverse the order of elements along dims. */
export function flip(x: Tensor, ...dims: SizeArgs): Tensor {
  checkTensor('flip', x);
  const ds = normDims(sizesOf('flip', dims), x.dim(), 'flip');
  return applyOp('FlipBackward0', [x], ([n]) => build.flip(n!, ds));
}

export function fliplr(x: Tensor): Tensor {
  checkTensor('fliplr', x);
  if (x.dim() < 2) throw new ShapeError('fliplr: Input must be >= 2-d.');
  return flip(x, 1);
}

export function flipud(x: Tensor): Tensor {
  checkTensor('flipud', x);
  if (x.dim() < 1) throw new ShapeError('flipud: Input must be >= 1-d.');
  return flip(x, 0);
}

/** x.repeat(2, 3): tile the tensor; more repeat counts than dims add leading dims. */
export function repeat(x: Tensor, ...sizes: SizeArgs): Tensor {
  checkTensor('repeat', x);
  const reps = sizesOf('repeat', sizes);
  const shape = x.shape;
  if (reps.length < shape.length) {
    throw new ShapeError(
      `repeat: Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor (repeats [${reps.join(', ')}], shape [${shape.join(', ')}])`,
    );
  }
  if (reps.some((r) => r < 0)) throw new ValueError(`repeat: Trying to create tensor with negative dimension: repeats [${reps.join(', ')}]`);
  const padded = [...Array<number>(reps.length - shape.length).fill(1), ...shape];
  // [s0, s1] -> [1, s0, 1, s1] -> expand [r0, s0, r1, s1] -> [r0*s0, r1*s1]
  const interleaved = padded.flatMap((s) => [1, s]);
  const expanded = padded.flatMap((s, i) => [reps[i]!, s]);
  const final = padded.map((s, i) => s * reps[i]!);
  return applyOp('RepeatBackward0', [x], ([n]) => build.reshape(build.expand(build.reshape(n!, interleaved), expanded), final));
}

/** torch.tile: repeat, with missing leading repeat counts taken as 1. */
export function tile(x: Tensor, ...dims: SizeArgs): Tensor {
  checkTensor('tile', x);
  const reps = sizesOf('tile', dims);
  const r = x.dim();
  return repeat(x, reps.length < r ? [...Array<number>(r - reps.length).fill(1), ...reps] : reps);
}

function sliceAxis(n: Node, axis: number, start: number, size: number): Node {
  return build.slice(
    n,
    n.shape.map((_, i) => (i === axis ? start : 0)),
    n.shape.map((d, i) => (i === axis ? size : d)),
  );
}

/** torch.roll: shift elements along dims, wrapping around; without dims, over the flattened tensor. */
const isInts = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isSafeInteger(d));

export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
  checkTensor('roll', x);
  if (!Number.isSafeInteger(shifts) && !isInts(shifts)) throw new ArgumentError(`roll(): argument 'shifts' must be an integer or a list of integers, not ${describeValue(shifts)}`);
  if (dims !== undefined && dims !== null && !Number.isSafeInteger(dims) && !isInts(dims)) {
    throw new ArgumentError(`roll(): argument 'dims' must be an integer or a list of integers, not ${describeValue(dims)}`);
  }
  const sh = typeof shifts === 'number' ? [shifts] : [...shifts];
  const shape = x.shape;
  if (dims === undefined || dims === null) {
    if (sh.length !== 1) throw new ValueError(`roll: shifts and dimensions must align. shifts: ${sh.length}, dims:0`);
    const total = x.numel();
    return applyOp('RollBackward0', [x], ([n]) => build.reshape(rollAxis(build.reshape(n!, [total]), 0, sh[0]!), shape));
  }
  const ds = typeof dims === 'number' ? [dims] : [...dims];
  if (sh.length !== ds.length) throw new ValueError(`roll: shifts and dimensions must align. shifts: ${sh.length}, dims:${ds.length}`);
  const axes = ds.map((d) => normDim(d, shape.length, 'roll'));
  sh.forEach((s) => {
    if (!Number.isInteger(s)) throw new ValueError(`roll: shifts must be integers, got ${s}`);
  });
  return applyOp('RollBackward0', [x], ([n]) => axes.reduce((acc, a, i) => rollAxis(acc, a, sh[i]!), n!));
}

function rollAxis(n: Node, axis: number, shift: number): Node {
  const len = n.shape[axis]!;
  if (len === 0) return n;
  const s = ((shift % len) + len) % len;
  if (s === 0) return n;
  return catNodes([sliceAxis(n, axis, len - s, s), sliceAxis(n, axis, 0, len - s)], axis);
}

/** Keep elements with (col - row) <= k (lower) or >= k (upper) of the last two dims; zero the rest. */
function triangle(name: string, x: Tensor, diagonal: number, lower: boolean): Tensor {
  checkTensor(name, x);
  const shape = x.shape;
  const r = shape.length;
  if (r < 2) throw new ShapeError(`${name}: input tensor must have at least 2 dimensions`);
  if (!Number.isInteger(diagonal)) throw new ValueError(`${name}: diagonal must be an integer, got ${diagonal}`);
  const rows = shape[r - 2]!;
  const cols = shape[r - 1]!;
  return applyOp(lower ? 'TrilBackward0' : 'TriuBackward0', [x], ([n]) => {
    const rc = [rows, cols];
    const row = build.expand(build.reshape(build.iota(rows), [rows, 1]), rc);
    const col = build.expand(build.reshape(build.iota(cols), [1, cols]), rc);
    const diff = build.binary('sub', col, row);
    const mask = build.binary(lower ? 'le' : 'ge', diff, build.constant(diagonal, 'int32', rc));
    return build.where(build.broadcastTo(mask, shape), n!, build.constant(0, n!.dtype, shape));
  });
}

const TRIANGLE_OPTIONS = { tril: defineOptions('tril', { diagonal: int.optional() }), triu: defineOptions('triu', { diagonal: int.optional() }) };

function diagonalArg(op: 'tril' | 'triu', diagonal: number | { diagonal?: number } | undefined): number {
  if (diagonal === undefined || typeof diagonal === 'number') return diagonal ?? 0;
  return checked(TRIANGLE_OPTIONS[op], diagonal).diagonal ?? 0;
}
export const tril = (x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor => triangle('tril', x, diagonalArg('tril', diagonal), true);
export const triu = (x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor => triangle('triu', x, diagonalArg('triu', diagonal), false);

declare module './tensor.js' {
  interface Tensor {
    flip(...dims: SizeArgs): Tensor;
    fliplr(): Tensor;
    flipud(): Tensor;
    repeat(...sizes: SizeArgs): Tensor;
    tile(...dims: SizeArgs): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    tril(diagonal?: number | { diagonal?: number }): Tensor;
    triu(diagonal?: number | { diagonal?: number }): Tensor;
    tril_(diagonal?: number | { diagonal?: number }): this;
    triu_(diagonal?: number | { diagonal?: number }): this;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Record<string, (x: Tensor, ...args: never[]) => Tensor> = { flip, fliplr, flipud, repeat, tile, roll, tril, triu };
for (const [name, fn] of Object.entries(methods)) {
  P[name] = function (this: Tensor, ...args: never[]) {
    return fn(this, ...args);
  };
}
P.tril_ = function (this: Tensor, diagonal?: number | { diagonal?: number }) {
  return commitInPlace('tril_', this, tril(this, diagonal));
};
P.triu_ = function (this: Tensor, diagonal?: number | { diagonal?: number }) {
  return commitInPlace('triu_', this, triu(this, diagonal));
};
