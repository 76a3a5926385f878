/**
 * Narrow dtypes compute wide (issue 14): a node of float16/bfloat16 computes in float32 and one of
 * uint8/int8/int16 in int32, from its inputs cast up, and its result is cast back down, so every op rounds
 * (or wraps) its own result, as PyTorch's CPU computes these dtypes op by op. A fused chain of float16 ops is
 * therefore rounded to half after each op, as PyTorch eager is (and as the interpreter computes it).
 *
 * After this pass the narrow dtypes reach the C renderer only as storage: buffers, constants, movements
 * (index arithmetic), gathers (a bounds-checked load), assigns and casts.
 */
import { computeDType, type DType } from '../../ir/dtype.js';
import * as build from '../../ir/build.js';
import type { Node } from '../../ir/node.js';
import { rebuild } from './rebuild.js';

/** Ops that only move or keep values: they stay in the narrow dtype. */
const STORAGE = new Set(['buffer', 'const', 'reshape', 'permute', 'expand', 'slice', 'flip', 'pad', 'unfold', 'contiguous', 'detach', 'gather', 'assign', 'cast']);

const narrow = (d: DType): boolean => computeDType(d) !== d;

/** `n` computed in the wide dtype when it or an input is narrow; `n` itself otherwise. */
export function widen(n: Node): Node {
  if (STORAGE.has(n.op) || n.realized !== null) return n;
  const wideIn = n.srcs.some((s) => narrow(s.dtype));
  if (!wideIn && !narrow(n.dtype)) return n;
  // Inputs that carry data of the node's type are cast up; a where's condition and gather/scatter indices
  // keep their dtype (bool, int32/int64).
  const srcs = n.srcs.map((s, i) => (keepsDType(n.op, i) ? s : build.cast(s, computeDType(s.dtype))));
  let wide: Node;
  if (n.op === 'iota') {
    wide = build.iota(n.numel, computeDType(n.dtype));
  } else if (n.op === 'rand') {
    wide = build.rand(srcs[0]!, (n.arg as { salt: number }).salt, computeDType(n.dtype), n.shape);
  } else {
    wide = rebuild(n, srcs);
  }
  return narrow(n.dtype) ? build.cast(wide, n.dtype) : wide;
}

function keepsDType(op: string, i: number): boolean {
  if (op === 'where') return i === 0;
  if (op === 'scatterAdd') return i === 1;
  return op === 'rand';
}
