/**
 * From a fixture's op key to graft's call. The default rule is the naming convention: `name` is
 * `torch.camel(name)(...args, kw)`, `F.name` is `torch.nn.functional.camel(name)`, `Tensor.name` is the method
 * `args[0].camel(name)(...rest, kw)`; keyword arguments become one options object with camelCase keys.
 * The table below lists the ops whose graft signature differs from that rule, each with the reason.
 */
import * as torch from '../../src/index.js';
import { camel } from './fixture.js';
import { LARGE } from './large.js';
import { SCENARIOS } from './scenarios.js';
import { NN2 } from './nn2-ops.js';

type Tensor = torch.Tensor;
export type Kw = Record<string, unknown>;
/** An op: decoded positional arguments and keyword arguments (camelCase keys) -> graft's result. */
export type OpFn = (args: unknown[], kw: Kw) => unknown;

const F = torch.nn.functional as unknown as Record<string, (...a: unknown[]) => unknown>;
const T = torch as unknown as Record<string, (...a: unknown[]) => unknown>;

/** Positional arguments, then the options object when there are keyword arguments. */
const withKw = (args: unknown[], kw: Kw): unknown[] => (Object.keys(kw).length ? [...args, kw] : args);

function byConvention(key: string): OpFn {
  if (key.startsWith('F.')) {
    const name = camel(key.slice(2));
    return (args, kw) => {
      const fn = F[name];
      if (typeof fn !== 'function') throw new Error(`graft has no torch.nn.functional.${name}`);
      return fn(...withKw(args, kw));
    };
  }
  if (key.startsWith('Tensor.')) {
    const name = camel(key.slice('Tensor.'.length));
    return (args, kw) => {
      const self = args[0] as Record<string, (...a: unknown[]) => unknown>;
      if (typeof self[name] !== 'function') throw new Error(`graft has no Tensor.${name}`);
      return self[name]!(...withKw(args.slice(1), kw));
    };
  }
  const name = camel(key);
  return (args, kw) => {
    const fn = T[name];
    if (typeof fn !== 'function') throw new Error(`graft has no torch.${name}`);
    return fn(...withKw(args, kw));
  };
}

/** Ops whose graft call is not the convention. */
const TABLE: Record<string, OpFn> = {
  // torch.pow(2, x): a scalar base (PyTorch's overload with a Number self).
  rpow: ([base, x]) => torch.pow(base as number, x as Tensor),
  // clamp(x, min=..., max=...): graft's bounds are positional (null to skip one).
  clamp: ([x, lo, hi], kw) => torch.clamp(x as Tensor, (kw.min ?? lo ?? null) as number, (kw.max ?? hi ?? null) as number),
  'Tensor.clamp_': ([x, lo, hi], kw) => (x as Tensor).clamp_((kw.min ?? lo ?? null) as number, (kw.max ?? hi ?? null) as number),
  // torch.full(size, value, dtype=...): the size is a list.
  full: ([size, value], kw) => torch.full(size as number[], value as number, kw),
  // torch.max(x, dim) / torch.min(x, dim): the (values, indices) overloads, named apart in the fixtures.
  max_dim: ([x, ...rest], kw) => torch.max(x as Tensor, ...(withKw(rest, kw) as [number])),
  min_dim: ([x, ...rest], kw) => torch.min(x as Tensor, ...(withKw(rest, kw) as [number])),
  // Views of a transposed matrix (non-contiguous input).
  view_noncontiguous: ([x, ...shape]) => (x as Tensor).t().view(...(shape as number[])),
  reshape_noncontiguous: ([x, ...shape]) => (x as Tensor).t().reshape(...(shape as number[])),
  contiguous_transposed: ([x]) => (x as Tensor).t().contiguous(),
  // in-place writes through views (the base is returned)
  inplace_through_transpose: ([x]) => ((x as Tensor).t().mul_(2), x),
  inplace_through_step_slice: ([x]) => ((x as Tensor).index('::2').zero_(), x),
  inplace_through_select: ([x]) => ((x as Tensor).index(':', 1).add_(torch.tensor([1.5, 2.5, 3.5])), x),
  inplace_into_expanded: ([x]) => (x as Tensor).expand(3, 4).add_(1),
  view_then_inplace_base: ([x]) => {
    const v = (x as Tensor).view(-1);
    (x as Tensor).mul_(3);
    return v;
  },
  // torch.add(a, b, out=c)
  add_out: ([a, b, out]) => torch.add(a as Tensor, b as Tensor, { out: out as Tensor }),
  // index values computed lazily (checked by the kernel)
  gather_lazy_index: ([x, dim, idx, shift]) => torch.gather(x as Tensor, dim as number, (idx as Tensor).add(shift as number)),
  getitem_lazy_index: ([x, idx, shift]) => (x as Tensor).index((idx as Tensor).add(shift as number)),
  // roll(x, shifts=..., dims=...): positional in graft.
  roll: ([x, shifts, dims], kw) => torch.roll(x as Tensor, (kw.shifts ?? shifts) as number[], (kw.dims ?? dims ?? null) as number[] | null),
  // Python's x[items] and x[items] = value (index items decoded: slices as 'a:b:c', Ellipsis as '...').
  getitem: ([x, ...items]) => (x as Tensor).index(...(items as torch.IndexItem[])),
  setitem: ([x, items, value]) => (x as Tensor).indexPut_(items as torch.IndexItem[], value as number),
  setitem_clone: ([x, items, value]) => (x as Tensor).clone().indexPut_(items as torch.IndexItem[], value as number),
  index_put_clone: ([x, indices, values], kw) => (x as Tensor).clone().indexPut_(indices as Tensor[], values as Tensor, kw),
  nonzero_tuple: ([x]) => torch.nonzero(x as Tensor, { asTuple: true }),
  where_cond: ([c]) => torch.where(c as Tensor),
  // printing
  identity: ([x]) => x,
  double: ([x]) => (x as Tensor).mul(2),
  arange_grid: ([n, rows, scale]) => torch.arange(n as number, { dtype: 'float32' }).reshape(rows as number, -1).mul(scale as number),
  arange_shift: ([n, shift]) => torch.arange(n as number).sub(shift as number),
  full_like: ([x, value], kw) => torch.fullLike(x as Tensor, value as number, kw),
};

export function opOf(key: string): OpFn {
  return TABLE[key] ?? SCENARIOS[key] ?? LARGE[key] ?? NN2[key] ?? byConvention(key);
}

// torch.linalg.* keys (ops2): the namespace's functions.
const LINALG_NS: Record<string, OpFn> = {
  'linalg.vector_norm': ([x, ...rest], kw) => (torch.linalg.vectorNorm as (...a: unknown[]) => unknown)(x, ...withKw(rest, kw)),
};
Object.assign(TABLE, LINALG_NS);
