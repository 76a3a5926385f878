/**
 * Sorting: sort, argsort, msort, topk and unique, all on the `argsort` primitive (a stable per-row sort
 * along an axis giving int64 positions; NaN sorts above every number, as PyTorch orders it). Values are a
 * `gather` of the input by those positions, so their gradient is gather's (a scatter-add back to where each
 * value came from), as PyTorch's SortBackward0 / TopkBackward0.
 */
import { ArgumentError, build, normDim, IndexError, ValueError, type Node } from '../ir/index.js';
import { hostValues } from './convert.js';
import { fromValues } from './creation.js';
import { bool, defineOptions, int } from './options.js';
import { argsOf } from './positional.js';
import { ValuesIndices } from './reduce.js';
import { checkTensor, untrackedOp } from './reduce-args.js';
import { applyOp, Tensor } from './tensor.js';

export interface SortOptions {
  dim?: number;
  descending?: boolean;
  stable?: boolean;
}

const SORT_SHAPE = { dim: int.optional(), descending: bool.optional(), stable: bool.optional() };
const SORT_OPTIONS = defineOptions('sort', SORT_SHAPE);
const ARGSORT_OPTIONS = defineOptions('argsort', SORT_SHAPE);

/** @internal The positions of a stable sort of `x` along `axis` (a 0-d tensor sorts as one element). */
function argsortNode(x: Node, axis: number, descending: boolean): Node {
  if (x.shape.length === 0) return build.constant(0, 'int64', []);
  return build.argsort(x, axis, descending);
}

/** @internal The values of `x` at `positions` along `axis`. */
function gatherNode(x: Node, positions: Node, axis: number): Node {
  if (x.shape.length === 0) return x;
  return build.gather(x, positions, axis);
}

function sortWith(op: 'sort' | 'argsort', x: Tensor, args: unknown[]): { axis: number; descending: boolean; stable: boolean } {
  checkTensor(op, x);
  const o = argsOf<SortOptions>(op === 'sort' ? SORT_OPTIONS : ARGSORT_OPTIONS, ['dim', 'descending'], args);
  return { axis: normDim(o.dim ?? -1, x.dim(), op), descending: o.descending ?? false, stable: o.stable !== undefined };
}

/**
 * torch.sort(x, dim = -1, descending = false, { stable }): the values along `dim` in order and their positions
 * (`[values, indices]`). Always stable: equal values keep their order, as `stable: true` asks.
 */
export function sort(x: Tensor, ...args: [dim?: number | SortOptions, descending?: boolean | SortOptions, opts?: SortOptions]): ValuesIndices {
  const { axis, descending, stable } = sortWith('sort', x, args);
  const indices = untrackedOp([x], ([n]) => argsortNode(n!, axis, descending));
  // PyTorch's overload with `stable` is sort.stable (SortBackward1).
  const values = applyOp(stable ? 'SortBackward1' : 'SortBackward0', [x], ([n]) => gatherNode(n!, argsortNode(n!, axis, descending), axis));
  return new ValuesIndices(values, indices);
}

/** torch.argsort(x, dim = -1, descending = false, { stable }): the positions that sort `x` along `dim`. */
export function argsort(x: Tensor, ...args: [dim?: number | SortOptions, descending?: boolean | SortOptions, opts?: SortOptions]): Tensor {
  const { axis, descending } = sortWith('argsort', x, args);
  return untrackedOp([x], ([n]) => argsortNode(n!, axis, descending));
}

/** torch.msort: sorted along dim 0 (the values only). */
export function msort(x: Tensor): Tensor {
  checkTensor('msort', x);
  return sort(x, 0).values;
}

export interface TopkOptions {
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}
const TOPK_OPTIONS = defineOptions('topk', { k: int.optional(), dim: int.optional(), largest: bool.optional(), sorted: bool.optional() });

/**
 * torch.topk(x, k, dim = -1, largest = true, sorted = true): the k largest (or smallest) values along `dim`
 * and their positions, in order (also when `sorted` is false, which leaves the order to the implementation).
 * NaN counts as the largest value. Ties keep the order of their positions.
 */
export function topk(
  x: Tensor,
  ...args: [k?: number | TopkOptions, dim?: number | TopkOptions, largest?: boolean | TopkOptions, sorted?: boolean | TopkOptions, opts?: TopkOptions]
): ValuesIndices {
  checkTensor('topk', x);
  const o = argsOf<TopkOptions & { k?: number }>(TOPK_OPTIONS, ['k', 'dim', 'largest', 'sorted'], args);
  if (o.k === undefined) throw new ValueError("topk() missing required argument 'k' (pos 2)");
  const k = o.k;
  const axis = normDim(o.dim ?? -1, x.dim(), 'topk');
  const size = x.dim() === 0 ? 1 : x.shape[axis]!;
  if (k < 0 || k > size) throw new IndexError(`topk(): selected index k out of range (k = ${k}, size ${size} of dim ${axis})`);
  const descending = o.largest ?? true;
  const first = (n: Node): Node => (n.shape.length === 0 ? n : build.slice(n, n.shape.map(() => 0), n.shape.map((d, i) => (i === axis ? k : d))));
  const indices = untrackedOp([x], ([n]) => first(argsortNode(n!, axis, descending)));
  const values = applyOp('TopkBackward0', [x], ([n]) => {
    const pos = first(argsortNode(n!, axis, descending));
    return gatherNode(n!, pos, axis);
  });
  return new ValuesIndices(values, indices);
}

export interface UniqueOptions {
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  dim?: number | null;
}
const UNIQUE_OPTIONS = defineOptions('unique', { sorted: bool.optional(), returnInverse: bool.optional(), returnCounts: bool.optional(), dim: int.nullable().optional() });

/**
 * torch.unique over all elements (`dim` unset): the distinct values in increasing order, with `returnInverse`
 * the position of each input element among them (shaped like the input) and with `returnCounts` how often each
 * occurs; one tensor, or `[values, inverse?, counts?]` when either is asked. The result's size depends on the
 * values: the input is sorted (the argsort primitive) and read back, as nonzero reads its mask. Each NaN is
 * distinct (NaN != NaN). `sorted: false` also returns them sorted (PyTorch leaves that order unspecified).
 * The result carries no gradient.
 */
export function unique(x: Tensor, ...args: [sorted?: boolean | UniqueOptions, returnInverse?: boolean | UniqueOptions, returnCounts?: boolean | UniqueOptions, opts?: UniqueOptions]): Tensor | Tensor[] {
  checkTensor('unique', x);
  const o = argsOf<UniqueOptions>(UNIQUE_OPTIONS, ['sorted', 'returnInverse', 'returnCounts'], args);
  if (o.dim !== undefined && o.dim !== null) throw new ArgumentError('unique(): `dim` is not supported yet (only the unique elements of the flattened tensor)');
  const flat = x.detach().reshape(-1);
  const { values: sv, indices: perm } = sort(flat, 0);
  const vals = hostValues(sv);
  const order = hostValues(perm) as BigInt64Array;
  const n = vals.length;
  const starts: number[] = [];
  const counts: number[] = [];
  const inverse = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    if (i === 0 || vals[i] !== vals[i - 1]) {
      starts.push(i);
      counts.push(0);
    }
    counts[counts.length - 1]!++;
    inverse[Number(order[i]!)] = BigInt(starts.length - 1);
  }
  const at = fromValues(BigInt64Array.from(starts, (v) => BigInt(v)), [starts.length], 'int64', x.device);
  const out = untrackedOp([sv, at], ([s, a]) => build.gather(s!, a!, 0));
  if (!o.returnInverse && !o.returnCounts) return out;
  const res = [out];
  if (o.returnInverse) res.push(fromValues(inverse, x.shape, 'int64', x.device));
  if (o.returnCounts) res.push(fromValues(BigInt64Array.from(counts, (v) => BigInt(v)), [counts.length], 'int64', x.device));
  return res;
}

declare module './tensor.js' {
  interface Tensor {
    sort(dim?: number | SortOptions, descending?: boolean | SortOptions, opts?: SortOptions): ValuesIndices;
    argsort(dim?: number | SortOptions, descending?: boolean | SortOptions, opts?: SortOptions): Tensor;
    msort(): Tensor;
    unique(sorted?: boolean | UniqueOptions, returnInverse?: boolean | UniqueOptions, returnCounts?: boolean | UniqueOptions, opts?: UniqueOptions): Tensor | Tensor[];
    topk(k: number | TopkOptions, dim?: number | TopkOptions, largest?: boolean | TopkOptions, sorted?: boolean | TopkOptions, opts?: TopkOptions): ValuesIndices;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Record<string, (x: Tensor, ...args: never[]) => unknown> = { sort, argsort, msort, topk, unique };
for (const [name, fn] of Object.entries(methods)) {
  P[name] = function (this: Tensor, ...args: never[]) {
    return fn(this, ...args);
  };
}
