/**
 * Input views: a view of a program input that is a contiguous block of its elements in row-major order
 * (`xs[t]`, `x.narrow(0, a, n)`, a reshape of either) is read by kernels as a buffer of its own — at run time a
 * subarray of the input — rather than through index arithmetic with its offset. Its offset is then no part of
 * any kernel's structure: the kernel of an unrolled loop reading `xs[t]` is the same function for every t.
 */
import type { Node } from '../ir/node.js';
import { contiguousStrides } from '../ir/shape.js';

export interface InputView {
  /** The view node (read by kernels as if it were an input). */
  readonly node: Node;
  /** The input it is a block of. */
  readonly base: Node;
  /** Its first element's position in the input. */
  readonly offset: number;
}

/** A strided view of an input: element idx is at offset + sum(idx[i] * strides[i]). */
interface Strided {
  readonly base: Node;
  readonly strides: readonly number[];
  readonly offset: number;
}


/** Whether a strided view of `shape` is a row-major block (axes of extent 1 may have any stride). */
const isBlock = (shape: readonly number[], strides: readonly number[]): boolean => {
  const want = contiguousStrides(shape);
  return shape.every((d, i) => d === 1 || strides[i] === want[i]);
};

/** The strided form of a movement node over `src`'s strided form, or null where it is not one. */
function step(n: Node, src: Strided): Strided | null {
  const s = n.srcs[0]!;
  switch (n.op) {
    case 'reshape':
      return isBlock(s.shape, src.strides) ? { base: src.base, strides: contiguousStrides(n.shape), offset: src.offset } : null;
    case 'slice': {
      const { start, step: by } = n.arg as { start: number[]; step: number[] };
      let offset = src.offset;
      start.forEach((a, i) => (offset += a * src.strides[i]!));
      return { base: src.base, strides: src.strides.map((st, i) => st * by[i]!), offset };
    }
    case 'permute': {
      const perm = (n.arg as { perm: number[] }).perm;
      return { base: src.base, strides: perm.map((p) => src.strides[p]!), offset: src.offset };
    }
    default:
      return null;
  }
}

/**
 * The block views of inputs among `order` (inputs first): movement nodes reading an input through reshapes,
 * slices and permutes whose elements are a contiguous run of the input's, other than the whole input.
 */
export function inputViews(order: readonly Node[], isInput: (n: Node) => boolean): InputView[] {
  const strided = new Map<Node, Strided>();
  const out: InputView[] = [];
  for (const n of order) {
    if (isInput(n)) {
      strided.set(n, { base: n, strides: contiguousStrides(n.shape), offset: 0 });
      continue;
    }
    if (n.srcs.length !== 1) continue;
    const src = strided.get(n.srcs[0]!);
    if (!src) continue;
    const v = step(n, src);
    if (!v) continue;
    strided.set(n, v);
    if (isBlock(n.shape, v.strides) && n.numel > 0 && (v.offset !== 0 || n.numel !== v.base.numel)) out.push({ node: n, base: v.base, offset: v.offset });
  }
  return out;
}
