/**
 * Independent float64 references for reductions and matrix products: plain JS loops over flat row-major
 * arrays, sharing no code with graft.
 */

/** A small deterministic generator (mulberry32) for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n numbers uniform in [lo, hi), rounded to float32 so that graft's float32 tensors hold them exactly. */
export function randomValues(n: number, seed: number, lo = -2, hi = 2): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r()));
}

export const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Row-major index of a multi-index. */
function flatIndex(idx: readonly number[], shape: readonly number[]): number {
  let p = 0;
  for (let k = 0; k < shape.length; k++) p = p * shape[k]! + idx[k]!;
  return p;
}

function unflatten(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = i % shape[k]!;
    i = Math.floor(i / shape[k]!);
  }
  return idx;
}

/**
 * Reduce `data` (shaped `shape`) over `axes` (non-negative): `f` receives the values of each output element's
 * group in row-major order. Returns the flat result and its shape (keepdim or not).
 */
export function refReduce(
  data: readonly number[],
  shape: readonly number[],
  axes: readonly number[],
  f: (group: number[]) => number,
  keepdim = false,
): { data: number[]; shape: number[] } {
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups: number[][] = Array.from({ length: prod(keptShape) }, () => []);
  for (let i = 0; i < data.length; i++) {
    const idx = unflatten(i, shape).map((v, k) => (axes.includes(k) ? 0 : v));
    groups[flatIndex(idx, keptShape)]!.push(data[i]!);
  }
  return { data: groups.map(f), shape: keepdim ? keptShape : shape.filter((_, i) => !axes.includes(i)) };
}

/** Apply `f` to each line along `axis` (a function of the whole line, returning a line). */
export function refAlong(data: readonly number[], shape: readonly number[], axis: number, f: (line: number[]) => number[]): number[] {
  const out = new Array<number>(data.length);
  const n = shape[axis]!;
  const inner = prod(shape.slice(axis + 1));
  const outer = prod(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const line: number[] = [];
      for (let k = 0; k < n; k++) line.push(data[(o * n + k) * inner + i]!);
      const res = f(line);
      for (let k = 0; k < n; k++) out[(o * n + k) * inner + i] = res[k]!;
    }
  }
  return out;
}

export const refSum = (g: number[]): number => g.reduce((a, b) => a + b, 0);
export const refMean = (g: number[]): number => refSum(g) / g.length;
export const refVar = (g: number[], correction = 1): number => {
  const m = refMean(g);
  return g.reduce((a, b) => a + (b - m) * (b - m), 0) / Math.max(0, g.length - correction);
};
/** log(sum(exp(g))) summed naively in float64 (fine for the moderate values used with it). */
export const refLogsumexp = (g: number[]): number => Math.log(g.reduce((a, b) => a + Math.exp(b), 0));
export const refSoftmax = (line: number[]): number[] => {
  const z = line.reduce((a, b) => a + Math.exp(b), 0);
  return line.map((v) => Math.exp(v) / z);
};

/**
 * matmul by its definition: promote 1-D operands to [1, K] / [K, 1], broadcast batch dims, triple loop, then
 * drop the promoted axes. Returns the flat result and shape.
 */
export function refMatmul(a: readonly number[], as: readonly number[], b: readonly number[], bs: readonly number[]): { data: number[]; shape: number[] } {
  const a2 = as.length === 1 ? [1, as[0]!] : [...as];
  const b2 = bs.length === 1 ? [bs[0]!, 1] : [...bs];
  const M = a2[a2.length - 2]!;
  const K = a2[a2.length - 1]!;
  const N = b2[b2.length - 1]!;
  const ab = a2.slice(0, -2);
  const bb = b2.slice(0, -2);
  const rank = Math.max(ab.length, bb.length);
  const pa = [...Array<number>(rank - ab.length).fill(1), ...ab];
  const pb = [...Array<number>(rank - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const out: number[] = [];
  for (let bi = 0; bi < prod(batch); bi++) {
    const idx = unflatten(bi, batch);
    const ia = flatIndex(idx.map((v, k) => (pa[k] === 1 ? 0 : v)), pa);
    const ib = flatIndex(idx.map((v, k) => (pb[k] === 1 ? 0 : v)), pb);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[(ia * M + m) * K + k]! * b[(ib * K + k) * N + n]!;
        out.push(s);
      }
    }
  }
  const shape = [...batch, ...(as.length === 1 ? [] : [M]), ...(bs.length === 1 ? [] : [N])];
  return { data: out, shape };
}

/** Nested arrays of a flat row-major array (to make tensors of any shape with torch.tensor). */
export function nest(data: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  const step = prod(shape.slice(1));
  return Array.from({ length: shape[0]! }, (_, i) => nest(data.slice(i * step, (i + 1) * step), shape.slice(1)));
}
