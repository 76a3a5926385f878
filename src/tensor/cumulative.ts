/**
 * cumprod, cummax and diff. cumprod and cummax are masked reductions over a square of the scanned axis
 * (out[i] = reduce over j <= i): one fused kernel each, O(n^2) work per row (a decision: it reuses reduce prod's
 * exact gradient with zeros and gather's scatter for cummax, where a scan primitive per op would need its own
 * VJP; rows of a few thousand elements stay cheap, very long scans are the weak case).
 */
import { ArgumentError, build, checkDType, DTypeError, isFloat, normDim, ShapeError, type DType, type Node } from '../ir/index.js';
import { withOut, type OutOptions } from './elementwise.js';
import { catNodes } from './join.js';
import { defineOptions, dtypeArg, int, tensorArg } from './options.js';
import { argsOf } from './positional.js';
import { ValuesIndices } from './reduce.js';
import { checkTensor, untrackedOp } from './reduce-args.js';
import { applyOp, commitInPlace, Tensor } from './tensor.js';

/** Move `axis` last, apply `f` to the [..., n] node, move it back. */
function alongLast(x: Node, axis: number, f: (y: Node) => Node): Node {
  const r = x.shape.length;
  const perm = [...Array.from({ length: r }, (_, i) => i).filter((i) => i !== axis), axis];
  const inv = perm.map((_, i) => perm.indexOf(i));
  return build.permute(f(build.permute(x, perm)), inv);
}

/** [..., n] -> [..., n(i), n(j)] with the mask j <= i. */
function square(y: Node): { sq: Node; mask: Node; j: Node } {
  const n = y.shape[y.shape.length - 1]!;
  const lead = y.shape.slice(0, -1);
  const full = [...lead, n, n];
  const sq = build.expand(build.reshape(y, [...lead, 1, n]), full);
  const i = build.expand(build.reshape(build.iota(n, 'int64'), [...lead.map(() => 1), n, 1]), full);
  const j = build.expand(build.reshape(build.iota(n, 'int64'), [...lead.map(() => 1), 1, n]), full);
  return { sq, mask: build.binary('le', j, i), j };
}

const dropLast = (r: Node): Node => build.reshape(r, r.shape.slice(0, -1));

export interface CumprodOptions extends OutOptions {
  dim?: number;
  dtype?: DType;
}
const CUMPROD_OPTIONS = defineOptions('cumprod', { dim: int.optional(), dtype: dtypeArg.optional(), out: tensorArg.optional() });

/** torch.cumprod(x, dim, { dtype }): running products (ints in int64); the gradient is exact with zeros. */
export function cumprod(x: Tensor, ...args: [dim?: number | CumprodOptions, opts?: CumprodOptions]): Tensor {
  checkTensor('cumprod', x);
  const o = argsOf<CumprodOptions>(CUMPROD_OPTIONS, ['dim'], args);
  if (o.dim === undefined) throw new DTypeError("cumprod() missing required argument 'dim' (pos 2)");
  const axis = normDim(o.dim, x.dim(), 'cumprod');
  const dtype = o.dtype !== undefined ? checkDType(o.dtype, 'cumprod') : isFloat(x.dtype) ? x.dtype : 'int64';
  const r = applyOp('CumprodBackward0', [x], ([n]) => {
    const v = build.cast(n!, dtype);
    if (v.shape.length === 0 || v.numel === 0) return v;
    return alongLast(v, axis, (y) => {
      const { sq, mask } = square(y);
      return dropLast(build.reduce(build.where(mask, sq, build.constant(1, dtype, sq.shape)), 'prod', [sq.shape.length - 1]));
    });
  });
  return withOut('cumprod', r, o);
}

const CUMMAX_OPTIONS = { cummax: defineOptions('cummax', { dim: int.optional() }), cummin: defineOptions('cummin', { dim: int.optional() }) };

/** The position of the running max (min) of each prefix: the last one on ties; NaN counts as the extreme. */
function cumExtremeIndex(y: Node, op: 'max' | 'min'): Node {
  const { sq, mask, j } = square(y);
  const last = sq.shape.length - 1;
  const fill = build.constant(op === 'max' ? -Infinity : Infinity, y.dtype, sq.shape);
  const ext = build.reduce(build.where(mask, sq, isFloat(y.dtype) ? fill : build.constant(op === 'max' ? minOf(y.dtype) : maxOf(y.dtype), y.dtype, sq.shape)), op, [last]);
  const e = build.expand(ext, sq.shape);
  let hit = build.binary('eq', sq, e);
  if (isFloat(y.dtype)) hit = build.binary('or', hit, build.binary('and', build.binary('ne', sq, sq), build.binary('ne', e, e)));
  const pos = build.where(build.binary('and', mask, hit), j, build.constant(-1n, 'int64', sq.shape));
  return dropLast(build.reduce(pos, 'max', [last]));
}
const INT_LIMITS: Partial<Record<DType, readonly [number | bigint, number | bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n], int32: [-(2 ** 31), 2 ** 31 - 1], int16: [-32768, 32767], int8: [-128, 127], uint8: [0, 255],
};
const minOf = (d: DType): number | bigint => INT_LIMITS[d]?.[0] ?? 0;
const maxOf = (d: DType): number | bigint => INT_LIMITS[d]?.[1] ?? 1;

function cumExtreme(op: 'cummax' | 'cummin', x: Tensor, args: unknown[]): ValuesIndices {
  checkTensor(op, x);
  const o = argsOf<{ dim?: number }>(CUMMAX_OPTIONS[op], ['dim'], args);
  if (o.dim === undefined) throw new DTypeError(`${op}() missing required argument 'dim' (pos 2)`);
  const axis = normDim(o.dim, x.dim(), op);
  const which = op === 'cummax' ? 'max' : 'min';
  const index = (n: Node): Node => (n.shape.length === 0 || n.numel === 0 ? build.constant(0, 'int64', n.shape) : alongLast(n, axis, (y) => cumExtremeIndex(y, which)));
  const indices = untrackedOp([x], ([n]) => index(n!));
  const values = applyOp(op === 'cummax' ? 'CummaxBackward0' : 'CumminBackward0', [x], ([n]) =>
    n!.shape.length === 0 || n!.numel === 0 ? n! : build.gather(n!, index(n!), axis),
  );
  return new ValuesIndices(values, indices);
}

/** torch.cummax(x, dim): running maxima and their positions (the latest on ties; NaN propagates). */
export const cummax = (x: Tensor, ...args: [dim?: number | { dim?: number }, opts?: { dim?: number }]): ValuesIndices => cumExtreme('cummax', x, args);
/** torch.cummin(x, dim): running minima and their positions. */
export const cummin = (x: Tensor, ...args: [dim?: number | { dim?: number }, opts?: { dim?: number }]): ValuesIndices => cumExtreme('cummin', x, args);

export interface DiffOptions {
  n?: number;
  dim?: number;
  prepend?: Tensor | null;
  append?: Tensor | null;
}
const DIFF_OPTIONS = defineOptions('diff', { n: int.optional(), dim: int.optional(), prepend: tensorArg.nullable().optional(), append: tensorArg.nullable().optional() });

/** torch.diff(x, n = 1, dim = -1, prepend, append): n-th forward differences (xor for bool). */
export function diff(x: Tensor, ...args: [n?: number | DiffOptions, dim?: number | DiffOptions, prepend?: Tensor | null | DiffOptions, append?: Tensor | null | DiffOptions, opts?: DiffOptions]): Tensor {
  checkTensor('diff', x);
  const o = argsOf<DiffOptions>(DIFF_OPTIONS, ['n', 'dim', 'prepend', 'append'], args);
  if (x.dim() === 0) throw new ShapeError('diff: diff expects input to be at least one-dimensional');
  // PyTorch 1.13 returns the input unchanged for a negative order (later versions refuse it).
  const n = Math.max(0, o.n ?? 1);
  const axis = normDim(o.dim ?? -1, x.dim(), 'diff');
  const extra = [o.prepend, o.append].filter((t): t is Tensor => t !== undefined && t !== null);
  for (const t of extra) {
    checkTensor('diff', t, 'prepend');
    if (t.dim() !== x.dim()) throw new ShapeError('diff: diff expects prepend or append to be the same dimension as input');
    if (t.dtype !== x.dtype) throw new DTypeError(`diff: expected prepend and append to have dtype ${x.dtype}, got ${t.dtype}`);
    if (t.shape.some((d, i) => i !== axis && d !== x.shape[i])) throw new ShapeError('diff: diff expects the shape of tensor to prepend or append to match that of input except along the differencing dimension');
  }
  if (n === 0 && extra.length === 0) return x;
  return applyOp('SubBackward0', [x, ...extra], (ns) => {
    let k = 1;
    const parts = [...(o.prepend ? [ns[k++]!] : []), ns[0]!, ...(o.append ? [ns[k++]!] : [])];
    let v = parts.length === 1 ? parts[0]! : catNodes(parts, axis);
    for (let i = 0; i < n && v.shape[axis]! > 0; i++) {
      const len = v.shape[axis]! - 1;
      const at = (s: number): Node => build.slice(v, v.shape.map((_, a) => (a === axis ? s : 0)), v.shape.map((d, a) => (a === axis ? len : d)));
      v = build.binary(v.dtype === 'bool' ? 'xor' : 'sub', at(1), at(0));
    }
    return v;
  });
}

declare module './tensor.js' {
  interface Tensor {
    cumprod(dim?: number | CumprodOptions, opts?: CumprodOptions): Tensor;
    cumprod_(dim?: number | CumprodOptions, opts?: CumprodOptions): this;
    cummax(dim?: number | { dim?: number }): ValuesIndices;
    cummin(dim?: number | { dim?: number }): ValuesIndices;
    diff(n?: number | DiffOptions, dim?: number | DiffOptions, prepend?: Tensor | null | DiffOptions, append?: Tensor | null | DiffOptions, opts?: DiffOptions): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Record<string, (x: Tensor, ...args: never[]) => unknown> = { cumprod, cummax, cummin, diff };
P.cumprod_ = function (this: Tensor, ...args: [dim?: number | CumprodOptions, opts?: CumprodOptions]) {
  for (const a of args as unknown[]) if (a !== null && typeof a === 'object' && 'out' in a) throw new ArgumentError('cumprod_(): out= is not an option of an in-place op');
  return commitInPlace('cumprod_', this, cumprod(this, ...args));
};
for (const [name, fn] of Object.entries(methods)) {
  P[name] = function (this: Tensor, ...args: never[]) {
    return fn(this, ...args);
  };
}
