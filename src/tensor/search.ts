/**
 * Binary-search ops as fused counts of comparisons: bucketize and searchsorted give, for each value, how many
 * boundaries lie below it (< for the left side, <= for the right): one reduction over the boundaries axis,
 * no search loop. repeatInterleave repeats elements (a view expand for a constant count; known counts are
 * read and turned into a gather).
 */
import { ArgumentError, build, DTypeError, fmtShape, isFloat, isInt, normDim, resultType, ShapeError, ValueError, type Node } from '../ir/index.js';
import { hostValues } from './convert.js';
import { fromValues } from './creation.js';
import { bool, defineOptions, int, str, tensorArg } from './options.js';
import { argsOf } from './positional.js';
import { checkTensor, scalarTypeName, untrackedOp } from './reduce-args.js';
import { applyOp, Tensor } from './tensor.js';

/** count over the last axis of `seq` [..., S] of seq < v (right: <=) for each v of `vals` [..., V]. */
function countBelow(seq: Node, vals: Node, right: boolean, out: 'int32' | 'int64'): Node {
  const S = seq.shape[seq.shape.length - 1]!;
  const V = vals.shape[vals.shape.length - 1]!;
  const lead = vals.shape.slice(0, -1);
  const full = [...lead, V, S];
  const seqLead = seq.shape.length === 1 ? lead.map(() => 1) : lead;
  const s = build.expand(build.reshape(seq, [...seqLead, 1, S]), full);
  const v = build.expand(build.reshape(vals, [...vals.shape, 1]), full);
  // NaN values go past every boundary (PyTorch's search treats NaN as the largest).
  let hit = build.binary(right ? 'le' : 'lt', s, v);
  if (isFloat(vals.dtype)) hit = build.binary('or', hit, build.binary('ne', v, v));
  return build.reshape(build.reduce(build.cast(hit, out), 'sum', [full.length - 1]), [...lead, V]);
}

export interface SearchsortedOptions {
  outInt32?: boolean;
  right?: boolean;
  side?: 'left' | 'right' | null;
  sorter?: Tensor | null;
}
const SEARCHSORTED_OPTIONS = defineOptions('searchsorted', { outInt32: bool.optional(), right: bool.optional(), side: str.nullable().optional(), sorter: tensorArg.nullable().optional() });
const BUCKETIZE_OPTIONS = defineOptions('bucketize', { outInt32: bool.optional(), right: bool.optional() });

function sideOf(op: string, o: SearchsortedOptions): boolean {
  if (o.side !== undefined && o.side !== null && o.side !== 'left' && o.side !== 'right') {
    throw new ValueError(`${op}(): side can only be 'left' or 'right' but got ${String(o.side)}`);
  }
  if (o.side === 'left' && o.right === true) throw new ValueError(`${op}(): side and right can't be set to opposites, got side of left while right was True`);
  return o.side === 'right' || o.right === true;
}

/**
 * torch.searchsorted(sortedSequence, values, { right, side, outInt32, sorter }): for each value the index where
 * it would be inserted to keep the last dim of `sortedSequence` sorted. A 1-D sequence serves every value;
 * otherwise the leading dims of sequence and values must match. `values` may be a number (0-d result).
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, opts?: SearchsortedOptions): Tensor {
  checkTensor('searchsorted', sortedSequence, 'sorted_sequence');
  const o = argsOf<SearchsortedOptions>(SEARCHSORTED_OPTIONS, [], opts === undefined ? [] : [opts]);
  const right = sideOf('searchsorted', o);
  if (typeof values !== 'number' && !(values instanceof Tensor)) throw new DTypeError(`searchsorted(): argument 'values' must be Tensor or Number, not ${typeof values}`);
  const seqShape = sortedSequence.shape;
  if (seqShape.length === 0) throw new ShapeError('searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got boundaries tensor dim(0) and input value\'s dim(0) numel(1)');
  const vShape = values instanceof Tensor ? values.shape : [];
  if (seqShape.length > 1 && (vShape.length !== seqShape.length || vShape.slice(0, -1).some((d, i) => d !== seqShape[i]))) {
    throw new ShapeError(
      `searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor ${fmtShape(seqShape)} and input value tensor ${fmtShape(vShape)}`,
    );
  }
  const sorter = o.sorter ?? null;
  if (sorter !== null) {
    checkTensor('searchsorted', sorter, 'sorter');
    if (!isInt(sorter.dtype) || sorter.dtype !== 'int64') throw new DTypeError(`searchsorted(): sorter must be a tensor of long dtype but got dtype ${scalarTypeName(sorter.dtype)}`);
    if (sorter.shape.length !== seqShape.length || sorter.shape.some((d, i) => d !== seqShape[i])) throw new ShapeError('searchsorted(): boundary and sorter must have the same size');
  }
  const vt = values instanceof Tensor ? values : null;
  const dtype = vt ? resultType({ dtype: sortedSequence.dtype, dim: 1 }, { dtype: vt.dtype, dim: 1 }) : sortedSequence.dtype;
  const out = o.outInt32 ? 'int32' : 'int64';
  const ins = [sortedSequence, ...(vt ? [vt] : []), ...(sorter ? [sorter] : [])];
  return untrackedOp(ins, (ns) => {
    let seq = build.cast(ns[0]!, dtype);
    if (sorter) seq = build.gather(seq, ns[ns.length - 1]!, seqShape.length - 1);
    const v = vt ? build.cast(ns[1]!, dtype) : build.constant(values as number, dtype, []);
    const v1 = v.shape.length === 0 ? build.reshape(v, [1]) : v;
    const r = countBelow(seq, v1, right, out);
    return v.shape.length === 0 ? build.reshape(r, []) : r;
  });
}

/** torch.bucketize(input, boundaries, { outInt32, right }): searchsorted of every element in 1-D boundaries. */
export function bucketize(input: Tensor | number, boundaries: Tensor, opts?: { outInt32?: boolean; right?: boolean }): Tensor {
  checkTensor('bucketize', boundaries, 'boundaries');
  BUCKETIZE_OPTIONS.check(opts);
  if (boundaries.dim() !== 1) throw new ShapeError(`bucketize(): boundaries tensor must be 1 dimension, but got dim(${boundaries.dim()})`);
  if (typeof input !== 'number') checkTensor('bucketize', input);
  if (typeof input === 'number' || input.dim() === 0) return searchsorted(boundaries, typeof input === 'number' ? input : input.reshape(1), opts).reshape([]);
  const flat = input.reshape(-1);
  return searchsorted(boundaries, flat, opts).reshape(input.shape);
}

export interface RepeatInterleaveOptions {
  dim?: number | null;
  outputSize?: number | null;
}
const REPEAT_INTERLEAVE_OPTIONS = defineOptions('repeatInterleave', { dim: int.nullable().optional(), outputSize: int.nullable().optional() });

/**
 * torch.repeat_interleave(input, repeats, dim = None): each element repeated `repeats` times along `dim` (the
 * flattened input without dim). A number repeats every element alike (reshape + expand: a view); a tensor of
 * counts is read (the result's size depends on it) and becomes a gather.
 */
export function repeatInterleave(input: Tensor, repeats: Tensor | number, ...args: [dim?: number | null | RepeatInterleaveOptions, opts?: RepeatInterleaveOptions]): Tensor {
  checkTensor('repeatInterleave', input);
  const o = argsOf<RepeatInterleaveOptions>(REPEAT_INTERLEAVE_OPTIONS, ['dim'], args);
  if (typeof repeats !== 'number' && !(repeats instanceof Tensor)) throw new ArgumentError(`repeatInterleave(): argument 'repeats' must be Tensor or int, not ${typeof repeats}`);
  const x = o.dim === undefined || o.dim === null ? input.reshape(-1) : input;
  const axis = o.dim === undefined || o.dim === null ? 0 : normDim(o.dim, input.dim(), 'repeatInterleave');
  if (x.dim() === 0) return repeatInterleave(x.reshape(1), repeats, 0);
  const n = x.shape[axis]!;
  if (typeof repeats === 'number' || repeats.dim() === 0 || (repeats.numel() === 1 && n !== 1)) {
    const r = typeof repeats === 'number' ? repeats : Number(hostValues(repeats)[0]);
    if (!Number.isSafeInteger(r)) throw new ArgumentError(`repeatInterleave(): repeats must be an integer, got ${r}`);
    if (r < 0) throw new ValueError('repeatInterleave(): repeats can not be negative');
    const shape = x.shape;
    const inner = [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)];
    const wide = [...shape.slice(0, axis + 1), r, ...shape.slice(axis + 1)];
    const final = shape.map((d, i) => (i === axis ? d * r : d));
    return applyOp('IndexSelectBackward0', [x], ([nx]) => build.reshape(build.expand(build.reshape(nx!, inner), wide), final));
  }
  if (!isInt(repeats.dtype)) throw new DTypeError(`repeatInterleave(): repeats has to be Long or Int tensor, got ${repeats.dtype}`);
  if (repeats.dim() !== 1) throw new ShapeError('repeatInterleave(): repeats must be 0-dim or 1-dim tensor');
  if (repeats.numel() !== n) throw new ShapeError(`repeatInterleave(): repeats must have the same size as input along dim, but got repeats.size(0) = ${repeats.numel()} and input.size(${axis}) = ${n}`);
  const counts = Array.from(hostValues(repeats), Number);
  if (counts.some((c) => c < 0)) throw new ValueError('repeatInterleave(): repeats can not be negative');
  const pos = counts.flatMap((c, i) => Array<number>(c).fill(i));
  if (o.outputSize !== undefined && o.outputSize !== null && o.outputSize !== pos.length) {
    throw new ValueError(`repeatInterleave(): allocated size does not match required size (output_size ${o.outputSize}, required ${pos.length})`);
  }
  const idx = fromValues(BigInt64Array.from(pos, (v) => BigInt(v)), [pos.length], 'int64', x.device);
  const shape = x.shape;
  const outShape = shape.map((d, i) => (i === axis ? pos.length : d));
  return applyOp('IndexSelectBackward0', [x, idx], ([nx, ni]) => {
    const ix = build.expand(build.reshape(ni!, shape.map((_, i) => (i === axis ? pos.length : 1))), outShape);
    return build.gather(nx!, ix, axis);
  });
}

declare module './tensor.js' {
  interface Tensor {
    repeatInterleave(repeats: Tensor | number, dim?: number | null | RepeatInterleaveOptions, opts?: RepeatInterleaveOptions): Tensor;
  }
}
const P = Tensor.prototype as unknown as Record<string, unknown>;
P.repeatInterleave = function (this: Tensor, repeats: Tensor | number, ...args: [dim?: number | null | RepeatInterleaveOptions, opts?: RepeatInterleaveOptions]) {
  return repeatInterleave(this, repeats, ...args);
};
