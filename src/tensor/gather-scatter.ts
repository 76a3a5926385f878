/**
 * Indexing along one dim with an index tensor: gather, scatter, scatterAdd, indexSelect, take. They map
 * onto the `gather` and `scatterAdd` primitives (scatter without accumulation masks the written positions,
 * see advanced-index.ts for duplicate indices). Known index values are bounds-checked at once with
 * PyTorch's messages; lazy ones by the kernel.
 */
import { build, checkedScalar, fmtShape, normDim, ShapeError, DTypeError, numel, type Node } from '../ir/index.js';
import { lastWriters, scatterRows } from './advanced-index.js';
import { checkIndexTensor, checkRange, indexNumbers, knownValues } from './index-values.js';
import { describeValue } from './options.js';
import { checkTensor } from './reduce-args.js';
import { applyOp, commitInPlace, Tensor } from './tensor.js';

/** A 0-d tensor behaves as 1-d of one element in these ops. */
const atLeast1d = (n: Node): Node => (n.shape.length === 0 ? build.reshape(n, [1]) : n);

/** torch.gather: out[i][j] = x[index[i][j]][j] (dim 0), index of the same rank as x. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', x);
  checkIndexTensor('gather', index);
  const xs = x.shape;
  const is = index.shape;
  const r = xs.length;
  const d = normDim(dim, r, 'gather');
  if (is.length !== r && !(Math.max(is.length, 1) === 1 && Math.max(r, 1) === 1)) {
    throw new ShapeError(`gather(): Index tensor must have the same number of dimensions as input tensor (index ${fmtShape(is)}, input ${fmtShape(xs)})`);
  }
  for (let k = 0; k < r; k++) {
    if (k !== d && is[k]! > xs[k]!) {
      throw new ShapeError(`gather(): Size does not match at dimension ${k} expected index ${fmtShape(is)} to be smaller than self ${fmtShape(xs)} apart from dimension ${d}`);
    }
  }
  const n = r === 0 ? 1 : xs[d]!;
  checkRange(knownValues(index), 0, n, (v) => `gather(): index ${v} is out of bounds for dimension ${d} with size ${n}`);
  return applyOp('GatherBackward0', [x, index], ([xn, ix]) => build.reshape(build.gather(atLeast1d(xn!), atLeast1d(ix!), d), is));
}

interface ScatterChecked {
  d: number;
  /** For scatter without accumulation: the last writer of each position when the index is known. */
  last: Node | null;
}

/** Shared checks of scatter/scatterAdd (PyTorch's messages), before anything is built. */
function checkScatter(op: string, x: Tensor, dim: number, index: Tensor, src: Tensor | number, wantLast: boolean): ScatterChecked {
  checkTensor(op, x);
  if (!(src instanceof Tensor) && typeof src !== 'number' && typeof src !== 'boolean') {
    throw new DTypeError(`${op}(): argument 'src' must be a Tensor or a number, not ${describeValue(src)}`);
  }
  checkIndexTensor(op, index);
  const xs = x.shape;
  const is = index.shape;
  const r = xs.length;
  const d = normDim(dim, r, op);
  if (is.length !== r) throw new ShapeError(`${op}(): Index tensor must have the same number of dimensions as self tensor (index ${fmtShape(is)}, self ${fmtShape(xs)})`);
  const ss = src instanceof Tensor ? src.shape : null;
  if (src instanceof Tensor) {
    if (ss!.length !== r) throw new ShapeError(`${op}(): Index tensor must have the same number of dimensions as src tensor (index ${fmtShape(is)}, src ${fmtShape(ss!)})`);
    if (src.dtype !== x.dtype) throw new DTypeError(`${op}(): Expected self.dtype to be equal to src.dtype (got ${x.dtype} and ${src.dtype})`);
  }
  for (let k = 0; k < r; k++) {
    if ((k !== d && is[k]! > xs[k]!) || (ss !== null && is[k]! > ss[k]!)) {
      throw new ShapeError(
        `${op}(): Expected index ${fmtShape(is)} to be smaller than self ${fmtShape(xs)} apart from dimension ${d}${ss ? ` and to be smaller size than src ${fmtShape(ss)}` : ''}`,
      );
    }
  }
  const n = xs[d]!;
  const vals = knownValues(index);
  checkRange(vals, 0, n, (v) => `${op}(): index ${v} is out of bounds for dimension ${d} with size ${n}`);
  let last: Node | null = null;
  if (wantLast && vals !== null) {
    const iv = indexNumbers(vals);
    // Position in x of each index element, in the order a sequential loop writes them.
    const targets = new Int32Array(vals.length);
    const xStrides = xs.map((_, k) => numel(xs.slice(k + 1)));
    const pos = new Array<number>(r).fill(0);
    for (let i = 0; i < vals.length; i++) {
      let t = 0;
      for (let k = 0; k < r; k++) t += (k === d ? iv[i]! : pos[k]!) * xStrides[k]!;
      targets[i] = t;
      for (let k = r - 1; k >= 0; k--) {
        pos[k]!++;
        if (pos[k]! < is[k]!) break;
        pos[k] = 0;
      }
    }
    last = build.buffer(x._device.fromHost('bool', lastWriters(targets)), is);
  }
  return { d, last };
}

function scatterBuild(x: Tensor, index: Tensor, src: Tensor | number, d: number, mode: { accumulate: boolean; last: Node | null }, name: string): Tensor {
  const dtype = x.dtype;
  const work = dtype === 'bool' ? 'int32' : dtype;
  const is = index.shape;
  const inputs = src instanceof Tensor ? [x, index, src] : [x, index];
  const value = src instanceof Tensor ? 0 : checkedScalar(src, dtype, 'scatter');
  return applyOp(name, inputs, ([xn, ix, sn]) => {
    const part = sn ? build.slice(sn, is.map(() => 0), is) : build.constant(value, dtype, is);
    return build.cast(scatterRows(build.cast(xn!, work), ix!, build.cast(part, work), mode, d), dtype);
  });
}

/** torch.scatter(x, dim, index, src): x with x[index[i][j]][j] = src[i][j] (dim 0); src may be a number. */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  const { d, last } = checkScatter('scatter', x, dim, index, src, true);
  return scatterBuild(x, index, src, d, { accumulate: false, last }, src instanceof Tensor ? 'ScatterBackward0' : 'ScatterBackward1');
}

/** torch.scatter_add(x, dim, index, src): x with src[i][j] added at x[index[i][j]][j] (dim 0). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  if (!(src instanceof Tensor)) throw new DTypeError(`scatterAdd(): argument 'src' must be a Tensor, not ${describeValue(src)}`);
  const { d } = checkScatter('scatterAdd', x, dim, index, src, false);
  return scatterBuild(x, index, src, d, { accumulate: true, last: null }, 'ScatterAddBackward0');
}

/** torch.index_select: the entries `index` (1-d) of dim. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('indexSelect', x);
  checkIndexTensor('indexSelect', index, 'index', true);
  if (index.dim() > 1) throw new ShapeError(`index_select(): Index is supposed to be a vector (got shape ${fmtShape(index.shape)})`);
  const xs = x.shape;
  const r = xs.length;
  const d = normDim(dim, r, 'indexSelect');
  const n = r === 0 ? 1 : xs[d]!;
  const m = index.numel();
  checkRange(knownValues(index), 0, n, (v) => `index_select(): index out of range in self (index ${v} for dimension ${d} with size ${n})`);
  return applyOp('IndexSelectBackward0', [x, index], ([xn, ix]) => {
    const src = atLeast1d(xn!);
    const outShape = src.shape.map((s, k) => (k === d ? m : s));
    const lined = build.reshape(ix!, src.shape.map((_, k) => (k === d ? m : 1)));
    const out = build.gather(src, build.expand(lined, outShape), d);
    return r === 0 ? build.reshape(out, index.dim() === 0 ? [] : [m]) : out;
  });
}

/** torch.take: x as a flat list of elements (row-major), read at `index` (negative counts from the end). */
export function take(x: Tensor, index: Tensor): Tensor {
  checkTensor('take', x);
  checkIndexTensor('take', index);
  const n = x.numel();
  const is = index.shape;
  const m = numel(is);
  checkRange(knownValues(index), -n, n, (v) => `take(): out of range: tried to access index ${v} on a tensor of ${n} elements.`);
  return applyOp('TakeBackward0', [x, index], ([xn, ix]) => {
    const flat = build.reshape(ix!, [m]);
    const c = (v: number): Node => build.constant(v, flat.dtype, [m]);
    const wrapped = build.where(build.binary('lt', flat, c(0)), build.binary('add', flat, c(n)), flat);
    return build.reshape(build.gather(build.reshape(xn!, [n]), wrapped, 0), is);
  });
}

declare module './tensor.js' {
  interface Tensor {
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | number): this;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterAdd_(dim: number, index: Tensor, src: Tensor): this;
    indexSelect(dim: number, index: Tensor): Tensor;
    take(index: Tensor): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Record<string, (x: Tensor, ...args: never[]) => Tensor> = { gather, scatter, scatterAdd, indexSelect, take };
for (const [name, fn] of Object.entries(methods)) {
  P[name] = function (this: Tensor, ...args: never[]) {
    return fn(this, ...args);
  };
}
P.scatter_ = function (this: Tensor, dim: number, index: Tensor, src: Tensor | number) {
  return commitInPlace('scatter_', this, scatter(this, dim, index, src));
};
P.scatterAdd_ = function (this: Tensor, dim: number, index: Tensor, src: Tensor) {
  return commitInPlace('scatterAdd_', this, scatterAdd(this, dim, index, src));
};
