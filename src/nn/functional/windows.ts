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
  if (s >= span) return tiledWindows(x, axis, k, s, d);
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
 * Windows that do not overlap (stride >= span: 2x2 pooling with stride 2) are a reshape, not an unfold: the
 * axis, cut to a whole number of strides, splits into [windows, stride], the window elements are a (stepped)
 * slice of the second part, moved last. The same view, but its gradient is a reshape and a pad (each input
 * element gets at most one value) instead of the sum of `k` spreads that the transpose of an unfold is.
 */
function tiledWindows(x: Node, axis: number, k: number, s: number, d: number): Node {
  const len = x.shape[axis]!;
  const n = windowCount(len, k, s, d);
  const used = Math.min(len, n * s);
  let w = x;
  if (used < len) w = build.slice(w, w.shape.map(() => 0), w.shape.map((v, i) => (i === axis ? used : v)));
  if (used < n * s) w = build.pad(w, w.shape.map((_, i) => (i === axis ? ([0, n * s - used] as const) : ([0, 0] as const))), 0);
  w = build.reshape(w, [...w.shape.slice(0, axis), n, s, ...w.shape.slice(axis + 1)]);
  // [..., n, s, ...rest] -> the window elements: indices 0, d, ..., d(k-1) of the s axis
  w = build.slice(
    w,
    w.shape.map(() => 0),
    w.shape.map((v, i) => (i === axis + 1 ? k : v)),
    w.shape.map((_, i) => (i === axis + 1 ? d : 1)),
  );
  const r = w.shape.length;
  const perm = [...Array(r).keys()].filter((i) => i !== axis + 1);
  perm.push(axis + 1);
  return build.permute(w, perm);
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
