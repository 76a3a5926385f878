/**
 * Joining tensors: cat/concat, stack, hstack, vstack. The result is a copy built from IR primitives
 * without a kernel per input: each input is padded out to the full result along the dim, and the pieces
 * are merged with `where` over masks that are padded constants — one elementwise expression the
 * scheduler fuses into a single kernel.
 */
import { ArgumentError, build, DTypeError, fmtShape, normDim, resultType, ShapeError, ValueError, type DType, type Node } from '../ir/index.js';
import { withOut, type OutOptions } from './elementwise.js';
import { reshapeTo } from './movement.js';
import { checked, defineOptions, describeValue, int, tensorArg, type OptionsChecker } from './options.js';
import { applyOp, Tensor } from './tensor.js';

/** @internal Concatenate nodes of equal dtype along `dim` (other dims equal). */
export function catNodes(nodes: readonly Node[], dim: number): Node {
  if (nodes.length === 1) return nodes[0]!;
  const total = nodes.reduce((a, n) => a + n.shape[dim]!, 0);
  let acc: Node | null = null;
  let off = 0;
  for (const n of nodes) {
    const size = n.shape[dim]!;
    const pads = n.shape.map((_, i) => (i === dim ? ([off, total - off - size] as const) : ([0, 0] as const)));
    const padded = build.pad(n, pads, 0);
    if (acc === null) acc = padded;
    else if (size > 0) {
      // Where this piece lies: a padded constant, so no index arithmetic beyond the pad's.
      const mask = build.pad(build.constant(1, 'bool', n.shape), pads, 0);
      acc = build.where(mask, padded, acc);
    }
    off += size;
  }
  return acc!;
}

/** The dtype tensors are joined in (torch.result_type over all of them). */
function joinType(ts: readonly Tensor[]): DType {
  return resultType(...ts.map((t) => ({ dtype: t.dtype, dim: Math.max(t.dim(), 1) })));
}

function checkList(op: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    // PyTorch's words: "torch.cat(): expected a non-empty list of Tensors", "stack expects a non-empty TensorList".
    throw new ValueError(op === 'stack' ? 'stack expects a non-empty TensorList' : `${op}: torch.${op}(): expected a non-empty list of Tensors`);
  }
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new DTypeError(`${op}(): expected Tensor as element ${i} in argument 0, but got ${describeValue(t)}`);
  });
}

export type CatOptions = OutOptions & { dim?: number };

const joinShape = { dim: int.optional(), out: tensorArg.optional() };
const JOIN_OPTIONS: Record<string, OptionsChecker> = {
  cat: defineOptions('cat', joinShape),
  stack: defineOptions('stack', joinShape),
  hstack: defineOptions('hstack', { out: tensorArg.optional() }),
  vstack: defineOptions('vstack', { out: tensorArg.optional() }),
};

/** `(dim?, opts?)` or `(opts)` of cat and stack. */
function joinOptions(op: 'cat' | 'stack', dim: number | CatOptions, opts: OutOptions | undefined): CatOptions {
  if (typeof dim === 'number') {
    JOIN_OPTIONS[op]!.check(opts);
    if ((opts as CatOptions | undefined)?.dim !== undefined) throw new ArgumentError(`${op}() got multiple values for argument 'dim'`);
    return { ...opts, dim };
  }
  if (opts !== undefined) throw new ArgumentError(`${op}(): options given twice`);
  return checked(JOIN_OPTIONS[op]!, dim);
}

/** torch.cat: join along an existing dim. Legacy 1-d empty tensors (shape [0]) are skipped, as in PyTorch. */
export function cat(tensors: readonly Tensor[], dim: number | CatOptions = 0, opts?: OutOptions): Tensor {
  const o = joinOptions('cat', dim, opts);
  checkList('cat', tensors);
  const entries = tensors.map((t, i) => [t, i] as const).filter(([t]) => !(t.dim() === 1 && t.numel() === 0));
  const used = entries.length > 0 ? entries : [[tensors[0]!, 0] as const];
  const [ref] = used[0]!;
  const r = ref.dim();
  for (const [t, i] of used) {
    if (t.dim() === 0) throw new ShapeError(`cat: zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  }
  const d = normDim(o.dim ?? 0, r, 'cat');
  const refShape = ref.shape;
  for (const [t, i] of used) {
    const s = t.shape;
    if (s.length !== r) throw new ShapeError(`cat: Tensors must have same number of dimensions: got ${r} and ${s.length}`);
    for (let k = 0; k < r; k++) {
      if (k !== d && s[k] !== refShape[k]) {
        throw new ShapeError(
          `cat: Sizes of tensors must match except in dimension ${d}. Expected size ${refShape[k]} but got size ${s[k]} for tensor number ${i} in the list.`,
        );
      }
    }
  }
  const inputs = used.map(([t]) => t);
  const dtype = joinType(inputs);
  const result = applyOp('CatBackward0', inputs, (nodes) => catNodes(nodes.map((n) => build.cast(n, dtype)), d));
  return withOut('cat', result, o);
}
export const concat = cat;
export const concatenate = cat;

/** torch.stack: join along a new dim; all shapes must be equal. */
export function stack(tensors: readonly Tensor[], dim: number | CatOptions = 0, opts?: OutOptions): Tensor {
  const o = joinOptions('stack', dim, opts);
  checkList('stack', tensors);
  const shape = tensors[0]!.shape;
  tensors.forEach((t, i) => {
    const s = t.shape;
    if (s.length !== shape.length || s.some((v, k) => v !== shape[k])) {
      throw new ShapeError(`stack expects each tensor to be equal size, but got ${fmtShape(shape)} at entry 0 and ${fmtShape(s)} at entry ${i}`);
    }
  });
  const d = normDim(o.dim ?? 0, shape.length + 1, 'stack');
  const grown = [...shape.slice(0, d), 1, ...shape.slice(d)];
  const dtype = joinType(tensors);
  const result = applyOp('StackBackward0', tensors, (nodes) => catNodes(nodes.map((n) => build.reshape(build.cast(n, dtype), grown)), d));
  return withOut('stack', result, o);
}

function atLeast(t: Tensor, rank: number): Tensor {
  const s = t.shape;
  if (s.length >= rank) return t;
  // numpy's atleast_2d puts a 1-d tensor in a row: [n] -> [1, n].
  return reshapeTo(t, [...Array<number>(rank - s.length).fill(1), ...s]);
}

/** torch.hstack: cat along dim 1 (dim 0 for 1-d tensors). */
export function hstack(tensors: readonly Tensor[], opts?: OutOptions): Tensor {
  checkList('hstack', tensors);
  JOIN_OPTIONS.hstack!.check(opts);
  const ts = tensors.map((t) => atLeast(t, 1));
  return cat(ts, ts[0]!.dim() === 1 ? 0 : 1, opts);
}

/** torch.vstack: rows stacked (1-d tensors become rows). */
export function vstack(tensors: readonly Tensor[], opts?: OutOptions): Tensor {
  checkList('vstack', tensors);
  JOIN_OPTIONS.vstack!.check(opts);
  return cat(
    tensors.map((t) => atLeast(t, 2)),
    0,
    opts,
  );
}
export const rowStack = vstack;
