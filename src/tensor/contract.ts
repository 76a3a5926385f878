/**
 * The canonical contraction: the one way graft writes a matrix product in IR. matmul, mm, bmm, mv, dot and
 * addmm all call `contract`, so the compiler sees a single pattern to recognize and tile.
 *
 *   out[...batch, m, n] = sum_k a[...batch, m, k] * b[...batch, k, n]
 *
 * is built as
 *
 *   a3  = expand(reshape(a, [1.., ...batchA, M, K, 1]), [...batch, M, K, N])
 *   b3  = expand(reshape(b, [1.., ...batchB, 1, K, N]), [...batch, M, K, N])
 *   out = reshape(reduce(mul(a3, b3), 'sum', [rank - 2]), [...batch, M, N])
 *
 * Layout [..., M, K, N], reduced over K (the second-to-last axis). Why this one and not [..., M, N, K]:
 * - for row-major operands neither side needs a permute: a [M, K] and b [K, N] only gain a size-1 axis;
 * - the innermost axis, N, is unit-stride in b and in the output and stride 0 in a (one register), so the
 *   natural inner loop is `out[m, :] += a[m, k] * b[k, :]` (i-k-j order), which vectorizes without a
 *   horizontal sum and streams b and the output through cache.
 * Batch axes of a and b broadcast (expand from size 1); their strides are whatever the operands' are.
 */
import { build, isHalf, type Node, type Shape } from '../ir/index.js';

/**
 * Contract a [...batchA, M, K] with b [...batchB, K, N] into [...batch, M, N], where batch is the broadcast
 * of batchA and batchB (the caller checks shapes and dtypes: a and b have one dtype, K agrees).
 */
export function contract(a: Node, b: Node, batch: Shape): Node {
  // float16/bfloat16 products are computed in float32 and rounded once (PyTorch's half matmul accumulates
  // in float): products rounded to half one by one would lose what the accumulator keeps.
  if (isHalf(a.dtype)) return build.cast(contract(build.cast(a, 'float32'), build.cast(b, 'float32'), batch), a.dtype);
  const [M, K] = a.shape.slice(-2) as [number, number];
  const N = b.shape[b.shape.length - 1]!;
  const full = [...batch, M, K, N];
  const lead = (x: Node): number[] => Array<number>(batch.length - (x.shape.length - 2)).fill(1);
  const a3 = build.expand(build.reshape(a, [...lead(a), ...a.shape, 1]), full);
  const b3 = build.expand(build.reshape(b, [...lead(b), ...b.shape.slice(0, -2), 1, K, N]), full);
  const r = build.reduce(build.binary('mul', a3, b3), 'sum', [full.length - 2]);
  return build.reshape(r, [...batch, M, N]);
}
