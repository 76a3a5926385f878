/**
 * Sliding windows over spatial axes, the shared core of convolution and pooling. Pure views: `unfold` (one
 * window axis appended per spatial axis) and, for dilation, a stepped slice of that window axis. The
 * compiler lowers them to index arithmetic — out[.., o, .., k] = in[.., o*stride + k*dilation, ..] — so no
 * im2col buffer exists unless a kernel boundary asks for one.
 */
import { build, type Node } from '../../ir/index.js';

/**
 * Windows along `axis` (size `k`, stride `s`, dilation `d`) of an already padded x: the axis becomes the
 * window count O = (D - d(k-1) - 1) / s + 1 and a last axis of k elements is appended.
 */
export function windowsAlong(x: Node, axis: number, k: number, s: number, d: number): Node {
  const span = d * (k - 1) + 1;
  if (k === 1 && s === 1) return build.reshape(x, [...x.shape, 1]);
  let w = build.unfold(x, axis, span, s);
  if (d > 1) {
    const r = w.shape.length;
    const start = w.shape.map(() => 0);
    const size = w.shape.map((n, i) => (i === r - 1 ? k : n));
    const step = w.shape.map((_, i) => (i === r - 1 ? d : 1));
    w = build.slice(w, start, size, step);
  }
  return w;
}

/**
 * Windows of the trailing spatial axes of x [..., S1, ..., Sn] (padded): [..., O1, ..., On, k1, ..., kn] with
 * out[..., o1..on, j1..jn] = x[..., o1*s1 + j1*d1, ..., on*sn + jn*dn].
 */
export function windows(x: Node, k: readonly number[], s: readonly number[], d: readonly number[]): Node {
  const n = k.length;
  const first = x.shape.length - n;
  let w = x;
  for (let i = 0; i < n; i++) w = windowsAlong(w, first + i, k[i]!, s[i]!, d[i]!);
  return w;
}

/** Window count along an axis of (padded) length `len`. */
export const windowCount = (len: number, k: number, s: number, d: number): number => Math.floor((len - d * (k - 1) - 1) / s) + 1;
