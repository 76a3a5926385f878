/**
 * Constants whose value is data, not structure, are program inputs: `x.mul(i + 2)` in a loop, a learning
 * rate folded into an expression, GELU's coefficients. Compiled into the code, every new value would be a new
 * program and a new gcc run (40 calls of `x.mul(i + 2)` were 40 compiles); read from a small float64 buffer,
 * all of them are one program. The structural key leaves such constants' values out (ir/hash.ts,
 * `isLiftedConstant`) and lists them; this pass replaces each by a read of its element of that buffer,
 * before simplify, so no value reaches the generated code (the read is hoisted out of the loops like any
 * scalar load).
 *
 * Values that carry structure stay constants — 0, ±1, ±2, ±0.5, infinities and NaN, where simplify's
 * identities apply (x*1, x+0, pow(x, 2) = x*x) — and so do integer and bool constants (indices, masks).
 */
import { build, isLiftedConstant, makeNode, type BufferRef, type Node } from '../ir/index.js';

export { isLiftedConstant };

/** The device name of the buffer of lifted values: no device owns it, the runtime fills it per call. */
const CONSTANTS_DEVICE = 'constants';

/** Whether `n` is the buffer of a program's lifted constants (inspection draws it as such). */
export const isLiftedConstantsBuffer = (n: Node): boolean =>
  n.op === 'buffer' && (n.arg as { ref: BufferRef }).ref.device === CONSTANTS_DEVICE;

export interface LiftedGraph {
  readonly roots: Node[];
  /** The program inputs: the graph's own, then the buffer of constant values (when there are any). */
  readonly inputs: Node[];
}

/**
 * Replace `consts` (the structural key's lifted constants, in key order) by reads of element i of a new
 * float64 input buffer. Inputs (buffers and realized nodes) are kept as they are.
 */
export function liftConstants(roots: readonly Node[], inputs: readonly Node[], consts: readonly Node[]): LiftedGraph {
  if (consts.length === 0) return { roots: [...roots], inputs: [...inputs] };
  const ref: BufferRef = { id: -1, dtype: 'float64', size: consts.length, device: CONSTANTS_DEVICE };
  const values = build.buffer(ref, [consts.length]);
  const out = new Map<Node, Node>();
  consts.forEach((c, i) => {
    const one = build.slice(values, [i], [1]);
    const scalar = build.reshape(one, c.shape.map(() => 1));
    out.set(c, build.cast(build.expand(scalar, c.shape), c.dtype));
  });
  const isInput = (n: Node): boolean => n.op === 'buffer' || n.realized !== null;
  // Iterative post-order over the pending graph: inputs and lifted constants are leaves.
  const stack: [Node, number][] = [];
  const mapped = (n: Node): Node => out.get(n) ?? n;
  for (const r of roots) {
    if (out.has(r) || isInput(r)) continue;
    stack.push([r, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      if (i < n.srcs.length) {
        top[1]++;
        const s = n.srcs[i]!;
        if (!out.has(s) && !isInput(s) && s.srcs.length > 0) stack.push([s, 0]);
        continue;
      }
      stack.pop();
      if (out.has(n)) continue;
      const srcs = n.srcs.map(mapped);
      out.set(n, srcs.every((s, k) => s === n.srcs[k]) ? n : makeNode(n.op, n.dtype, n.shape, srcs, n.arg));
    }
  }
  return { roots: roots.map(mapped), inputs: [...inputs, values] };
}
