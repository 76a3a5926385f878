/**
 * `x.index(...)` for Python's `x[...]` and `x.indexPut_(indices, v)` for `x[...] = v`, with PyTorch's rules:
 *
 * - basic indices — integers (negative count from the end), slice strings ('1:3', '::2', '-2:', ':'),
 *   '...' and null (a new axis) — are applied first, left to right, as views (select, slice, unsqueeze);
 * - advanced indices — integer tensors or JS arrays, boolean masks (realized and turned into coordinates),
 *   JS booleans — are recorded at the dims they index and applied last, as one gather (a copy) or, for
 *   writes, a scatter through the basic view (so the write reaches the base).
 *
 * As in PyTorch, an integer next to advanced indices is a select, not an advanced index, which decides
 * where the broadcast index dims land (see advanced-index.ts).
 */
import { broadcastShapes, build, checkedScalar, DeviceError, DTypeError, fmtShape, IndexError, isInt, ShapeError, shapeEq, type Node } from '../ir/index.js';
import { tensor as makeTensor, type NestedArray } from './creation.js';
import { gatherAdvanced, hostRows, lastWriters, planAdvanced, scatterAdvanced, type AdvancedPlan } from './advanced-index.js';
import { checkRange, intTensor, knownValues, nonzeroCoords } from './index-values.js';
import { selectAt, sliceDim, unsqueeze } from './movement.js';
import { bool, checked, defineOptions } from './options.js';
import { checkTensor } from './reduce-args.js';
import { applyOp, commitInPlace, makeView, sameDevice, Tensor, type TensorLike } from './tensor.js';

/** One entry of `x[...]`. */
export type IndexItem = number | bigint | string | null | boolean | Tensor | NestedIndex;
export type NestedIndex = readonly (number | bigint | boolean | NestedIndex)[];

interface AdvancedIndex {
  /** The dim of the basic view it indexes. */
  dim: number;
  /** int32 or int64, on the indexed tensor's device. */
  index: Tensor;
}

interface ParsedIndex {
  /** The tensor after the basic indices (a view of x, or x itself when there were none). */
  view: Tensor;
  basic: boolean;
  adv: AdvancedIndex[];
}

const SLICE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

function parseSlice(op: string, s: string): [number | undefined, number | undefined, number] {
  const m = SLICE.exec(s);
  if (!m) throw new IndexError(`${op}: invalid index '${s}'; a string index is a slice 'start:stop:step' (each part optional) or '...'`);
  const num = (g: string | undefined): number | undefined => (g === undefined ? undefined : Number(g));
  return [num(m[1]), num(m[2]), num(m[3]) ?? 1];
}

function describe(x: unknown): string {
  if (x === undefined) return 'undefined';
  if (typeof x === 'number') return `float ${x}`;
  return typeof x === 'object' ? (x?.constructor?.name ?? 'object') : typeof x;
}

function onDevice(op: string, t: Tensor, device: string): Tensor {
  if (t.device === device) return t;
  if (t.device === 'cpu') return t.to(device);
  throw new DeviceError(`${op}: indices should be either on cpu or on the same device as the indexed tensor (${device}), got ${t.device}`);
}

/**
 * A JS array index as a tensor: integers (numbers or bigints) are an int64 index (an empty array too, as in
 * PyTorch), booleans a mask; anything else is left to the index check to refuse.
 */
function arrayIndex(a: NestedIndex, device: string): Tensor {
  const flat = (a as readonly unknown[]).flat(Infinity);
  const isBool = flat.length > 0 && flat.every((e) => typeof e === 'boolean');
  const integral = flat.every((e) => typeof e === 'bigint' || typeof e === 'boolean' || (typeof e === 'number' && Number.isInteger(e)));
  return makeTensor(a as NestedArray, { device, dtype: isBool ? 'bool' : integral ? 'int64' : undefined });
}

/** A JS boolean index: a new axis of size 1 (true) or 0 (false), as PyTorch does it. */
function boolAxisIndex(v: boolean, device: string): Tensor {
  return intTensor(v ? Int32Array.of(0) : new Int32Array(0), device);
}

/** Apply the basic indices as views and collect the advanced ones. Checks everything before returning. */
export function parseIndex(op: string, x: Tensor, items: readonly IndexItem[]): ParsedIndex {
  checkTensor(op, x);
  if (!Array.isArray(items)) throw new IndexError(`${op}: expected a list of indices, got ${describe(items)}`);
  const r = x.dim();
  const norm = items.map((it) => (Array.isArray(it) ? arrayIndex(it as NestedIndex, x.device) : typeof it === 'bigint' ? Number(it) : it)) as (
    | number
    | string
    | null
    | boolean
    | Tensor
  )[];
  let consumed = 0;
  let ellipses = 0;
  for (const it of norm) {
    if (typeof it === 'number') {
      if (!Number.isInteger(it)) {
        throw new IndexError(`${op}: only integers, slices (':'), ellipsis ('...'), null, booleans and long or bool tensors are valid indices (got ${describe(it)})`);
      }
      consumed++;
    } else if (typeof it === 'string') {
      if (it.trim() === '...') ellipses++;
      else {
        parseSlice(op, it);
        consumed++;
      }
    } else if (it === null || typeof it === 'boolean') {
      // a new axis
    } else if (it instanceof Tensor) {
      if (it.dtype === 'bool') consumed += it.dim();
      else if (isInt(it.dtype)) consumed += 1;
      else throw new IndexError(`${op}: tensors used as indices must be long, int, byte or bool tensors (got ${it.dtype})`);
    } else {
      throw new IndexError(`${op}: only integers, slices (':'), ellipsis ('...'), null, booleans and long or bool tensors are valid indices (got ${describe(it)})`);
    }
  }
  if (ellipses > 1) throw new IndexError(`${op}: an index can only have a single ellipsis ('...')`);
  if (consumed > r) {
    if (r === 0 && items.length === 1) {
      throw new IndexError(`${op}: invalid index of a 0-dim tensor. Use \`tensor.item()\` to convert a 0-dim tensor to a number`);
    }
    throw new IndexError(`${op}: too many indices for tensor of dimension ${r} (got ${consumed} indices for shape ${fmtShape(x.shape)})`);
  }
  // From here on only views are built (nothing is written), so an error below leaves every tensor as it was.
  let cur = x;
  let dim = 0;
  let basic = false;
  const adv: AdvancedIndex[] = [];
  const select = (i: number): void => {
    const n = cur.shape[dim]!;
    if (i < -n || i >= n) throw new IndexError(`${op}: index ${i} is out of bounds for dimension ${dim} with size ${n}`);
    cur = selectAt(cur, dim, i < 0 ? i + n : i);
    basic = true;
  };
  const newAxis = (): void => {
    cur = unsqueeze(cur, dim);
    basic = true;
  };
  for (const it of norm) {
    if (typeof it === 'number') select(it);
    else if (typeof it === 'string') {
      if (it.trim() === '...') {
        dim += r - consumed;
        continue;
      }
      const [start, stop, step] = parseSlice(op, it);
      const next = sliceDim(cur, dim, start, stop, step);
      if (next !== cur) basic = true;
      cur = next;
      dim++;
    } else if (it === null) {
      newAxis();
      dim++;
    } else if (typeof it === 'boolean') {
      newAxis();
      adv.push({ dim, index: boolAxisIndex(it, x.device) });
      dim++;
    } else {
      const t = onDevice(op, it, x.device);
      if (t.dtype === 'bool') {
        if (t.dim() === 0) {
          newAxis();
          adv.push({ dim, index: boolAxisIndex(t.item() as unknown as boolean, x.device) });
          dim++;
          continue;
        }
        const ms = t.shape;
        const cs = cur.shape;
        ms.forEach((s, j) => {
          if (s !== cs[dim + j]) {
            throw new IndexError(
              `${op}: The shape of the mask ${fmtShape(ms)} at index ${j} does not match the shape of the indexed tensor ${fmtShape(cs)} at index ${dim + j}`,
            );
          }
        });
        const { coords } = nonzeroCoords(t);
        coords.forEach((c, j) => adv.push({ dim: dim + j, index: intTensor(c, x.device) }));
        dim += ms.length;
      } else if (t.dim() === 0) {
        // A 0-d integer tensor is an integer index (a select), as in PyTorch.
        select(Number(t.dataSync()[0]!));
      } else {
        adv.push({ dim, index: t });
        dim++;
      }
    }
  }
  return { view: cur, basic, adv };
}

/** Plan the advanced part and bounds-check the indices whose values are known. */
function planFor(op: string, view: Tensor, adv: readonly AdvancedIndex[]): AdvancedPlan {
  const plan = planAdvanced(
    view.shape,
    adv.map((a) => a.dim),
    adv.map((a) => a.index.shape),
  );
  adv.forEach((a, k) => {
    const n = plan.sizes[k]!;
    checkRange(knownValues(a.index), -n, n, (v) => `${op}: index ${v} is out of bounds for dimension ${a.dim} with size ${n}`);
  });
  return plan;
}

/** x.index(...) — Python's x[...]. Basic indexing gives a view; any advanced index gives a copy. */
export function index(x: Tensor, ...items: IndexItem[]): Tensor {
  const { view, basic, adv } = parseIndex('index', x, items);
  if (adv.length === 0) return basic ? view : makeView('AliasBackward0', x, []);
  const plan = planFor('index', view, adv);
  return applyOp('IndexBackward0', [view, ...adv.map((a) => a.index)], ([v, ...idx]) => gatherAdvanced(plan, v!, idx));
}

export interface IndexPutOptions {
  /** Add the values instead of writing them (duplicate indices then add up). */
  accumulate?: boolean;
}

/** PyTorch's message for a value that does not expand to the written view (a copy_ into it). */
function expandMismatch(op: string, from: readonly number[], to: readonly number[]): string | null {
  if (from.length > to.length) return null;
  for (let i = 0; i < from.length; i++) {
    const f = from[from.length - 1 - i]!;
    const t = to[to.length - 1 - i]!;
    if (f !== 1 && f !== t) {
      return `${op}: The expanded size of the tensor (${t}) must match the existing size (${f}) at non-singleton dimension ${to.length - 1 - i}.  Target sizes: ${fmtShape(to)}.  Tensor sizes: ${fmtShape(from)}`;
    }
  }
  return null;
}

function valueOperand(op: string, values: TensorLike, target: readonly number[], advanced: boolean): Tensor | number | bigint | boolean {
  if (values instanceof Tensor) {
    let b: number[] | null;
    try {
      b = broadcastShapes(values.shape, target);
    } catch {
      b = null;
    }
    if (b === null || !shapeEq(b, target)) {
      // Basic indices write through a view (PyTorch: a copy_ that expands the value); advanced ones scatter.
      const basicMessage = advanced ? null : expandMismatch(op, values.shape, target);
      throw new ShapeError(
        basicMessage ?? `${op}: shape mismatch: value tensor of shape ${fmtShape(values.shape)} cannot be broadcast to indexing result of shape ${fmtShape(target)}`,
      );
    }
    return values;
  }
  if (typeof values !== 'number' && typeof values !== 'bigint' && typeof values !== 'boolean') {
    throw new DTypeError(`${op}: values must be a Tensor, a number, a bigint or a boolean, not ${describe(values)}`);
  }
  return values;
}

/**
 * x.indexPut_(indices, values) — Python's `x[indices] = values` (values cast to x's dtype, broadcast to the
 * indexed shape); `{ accumulate: true }` adds instead (`x[indices] += values`, duplicates included).
 * Returns x.
 */
const INDEX_PUT_OPTIONS = defineOptions('indexPut_', { accumulate: bool.optional() });

export function indexPut_(x: Tensor, indices: IndexItem | readonly IndexItem[], values: TensorLike, opts?: IndexPutOptions): Tensor {
  const op = 'indexPut_';
  opts = checked(INDEX_PUT_OPTIONS, opts);
  const items = Array.isArray(indices) ? (indices as readonly IndexItem[]) : [indices as IndexItem];
  const accumulate = opts.accumulate ?? false;
  const parsed = parseIndex(op, x, items);
  // A slice, integer or new axis makes PyTorch write through a view even where it is all of x (x[:, idx] = v):
  // the write is then recorded on x as CopySlices. An alias view does the same here.
  const throughView = items.some((it) => typeof it === 'number' || it === null || (typeof it === 'string' && it.trim() !== '...'));
  const view = parsed.view === x && throughView ? makeView('AliasBackward0', x, []) : parsed.view;
  const { adv } = parsed;
  const dtype = view.dtype;
  const plan = adv.length ? planFor(op, view, adv) : null;
  const target = plan ? plan.resultShape : view.shape;
  const v = valueOperand(op, values, target, plan !== null);
  const vt = v instanceof Tensor ? [v] : [];
  if (v instanceof Tensor) sameDevice(op, [view, v]);
  const scalar = v instanceof Tensor ? 0 : checkedScalar(v, dtype, op);
  const valueNode = (n: Node | undefined): Node =>
    n ? build.broadcastTo(build.cast(n, dtype), target) : build.constant(scalar, dtype, target);

  if (plan === null) {
    // Basic indices only: write through the view.
    const result = accumulate
      ? applyOp('AddBackward0', [view, ...vt], ([b, n]) => build.binary(dtype === 'bool' ? 'or' : 'add', b!, valueNode(n)))
      : applyOp(vt.length ? 'CopyBackwards' : 'FillBackward0', vt, ([n]) => valueNode(n), view.device);
    commitInPlace(op, view, result);
    return x;
  }
  let last: Node | null = null;
  if (!accumulate) {
    const known = adv.map((a) => knownValues(a.index));
    if (known.every((k) => k !== null)) {
      const rows = hostRows(
        plan,
        adv.map((a, k) => ({ vals: known[k]!, shape: a.index.shape })),
      );
      last = build.buffer(view._device.fromHost('bool', lastWriters(rows)), plan.bshape);
    }
  }
  const lastNode = last;
  const result = applyOp('IndexPutBackward0', [view, ...vt, ...adv.map((a) => a.index)], (nodes) => {
    const [b, ...rest] = nodes;
    const n = vt.length ? rest.shift() : undefined;
    return scatterAdvanced(plan, b!, rest, valueNode(n), { accumulate, last: lastNode });
  });
  commitInPlace(op, view, result);
  return x;
}

/** torch.index_put: x with x[indices] = values, out of place. */
export function indexPut(x: Tensor, indices: IndexItem | readonly IndexItem[], values: TensorLike, opts: IndexPutOptions = {}): Tensor {
  checkTensor('indexPut', x);
  return indexPut_(x.clone(), indices, values, opts);
}

declare module './tensor.js' {
  interface Tensor {
    /** Python's `x[...]`: `x.index(':', 1)` is `x[:, 1]`. */
    index(...items: IndexItem[]): Tensor;
    /** Python's `x[indices] = values`; returns x. */
    indexPut_(indices: IndexItem | readonly IndexItem[], values: TensorLike, opts?: IndexPutOptions): this;
    indexPut(indices: IndexItem | readonly IndexItem[], values: TensorLike, opts?: IndexPutOptions): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
P.index = function (this: Tensor, ...items: IndexItem[]) {
  return index(this, ...items);
};
P.indexPut_ = function (this: Tensor, indices: IndexItem | readonly IndexItem[], values: TensorLike, opts?: IndexPutOptions) {
  return indexPut_(this, indices, values, opts);
};
P.indexPut = function (this: Tensor, indices: IndexItem | readonly IndexItem[], values: TensorLike, opts?: IndexPutOptions) {
  return indexPut(this, indices, values, opts);
};
