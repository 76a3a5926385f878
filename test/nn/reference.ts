/**
 * Independent float64 references for the nn layers: plain nested loops over flat row-major arrays, sharing
 * no code with graft (no unfold, no contraction, no IR).
 */
export { nest, prod, randomValues, rng } from '../tensor/reference.js';

export interface Ref {
  data: number[];
  shape: number[];
}

/** Direct convolution: x [N, C, H, W], w [O, C/g, kh, kw], pads [[top, bottom], [left, right]]. */
export function refConv2d(
  x: readonly number[],
  xs: readonly number[],
  w: readonly number[],
  ws: readonly number[],
  bias: readonly number[] | null,
  stride: [number, number],
  pads: [[number, number], [number, number]],
  dil: [number, number],
  groups: number,
): Ref {
  const [N, C, H, W] = xs as [number, number, number, number];
  const [O, Cg, kh, kw] = ws as [number, number, number, number];
  const OH = Math.floor((H + pads[0][0] + pads[0][1] - dil[0] * (kh - 1) - 1) / stride[0]) + 1;
  const OW = Math.floor((W + pads[1][0] + pads[1][1] - dil[1] * (kw - 1) - 1) / stride[1]) + 1;
  const Og = O / groups;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let s = bias ? bias[o]! : 0;
          for (let c = 0; c < Cg; c++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const h = oh * stride[0] - pads[0][0] + i * dil[0];
                const ww = ow * stride[1] - pads[1][0] + j * dil[1];
                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
                const ci = g * Cg + c;
                s += x[((n * C + ci) * H + h) * W + ww]! * w[((o * Cg + c) * kh + i) * kw + j]!;
              }
          out.push(s);
        }
    }
  return { data: out, shape: [N, O, OH, OW] };
}

/**
 * Pooling by definition over x [N, C, H, W]: for each output position, the list of values of the window
 * positions that fall inside the input, and the number of window positions inside the padded input
 * ([-p, H + p)), handed to `f(values, paddedCount)`. Output size follows PyTorch's formula (ceil mode too).
 */
export function refPool2d(
  x: readonly number[],
  xs: readonly number[],
  k: [number, number],
  s: [number, number],
  p: [number, number],
  d: [number, number],
  ceil: boolean,
  f: (values: number[], paddedCount: number) => number,
): Ref {
  const [N, C, H, W] = xs as [number, number, number, number];
  const size = (L: number, a: 0 | 1): number => {
    let o = Math.floor((L + 2 * p[a] - d[a] * (k[a] - 1) - 1 + (ceil ? s[a] - 1 : 0)) / s[a]) + 1;
    if (ceil && (o - 1) * s[a] >= L + p[a]) o--;
    return o;
  };
  const OH = size(H, 0);
  const OW = size(W, 1);
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const vals: number[] = [];
          let padded = 0;
          for (let i = 0; i < k[0]; i++)
            for (let j = 0; j < k[1]; j++) {
              const h = oh * s[0] - p[0] + i * d[0];
              const w = ow * s[1] - p[1] + j * d[1];
              if (h >= -p[0] && h < H + p[0] && w >= -p[1] && w < W + p[1]) padded++;
              if (h >= 0 && h < H && w >= 0 && w < W) vals.push(x[((n * C + c) * H + h) * W + w]!);
            }
          out.push(f(vals, padded));
        }
  return { data: out, shape: [N, C, OH, OW] };
}

/** Adaptive average pooling by PyTorch's rule: [floor(o L / S), ceil((o + 1) L / S)). */
export function refAdaptiveAvg2d(x: readonly number[], xs: readonly number[], OH: number, OW: number): Ref {
  const [N, C, H, W] = xs as [number, number, number, number];
  const start = (o: number, L: number, S: number): number => Math.floor((o * L) / S);
  const end = (o: number, L: number, S: number): number => Math.ceil(((o + 1) * L) / S);
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let sum = 0;
          let cnt = 0;
          for (let h = start(oh, H, OH); h < end(oh, H, OH); h++)
            for (let w = start(ow, W, OW); w < end(ow, W, OW); w++) {
              sum += x[((n * C + c) * H + h) * W + w]!;
              cnt++;
            }
          out.push(sum / cnt);
        }
  return { data: out, shape: [N, C, OH, OW] };
}

/** log softmax of one row. */
export function refLogSoftmax(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

/** The rows of x [N, C, S...] along the class dim 1: rows[n][s] is the C values at (n, :, s). */
export function classRows(x: readonly number[], N: number, C: number, S: number): number[][][] {
  return Array.from({ length: N }, (_, n) => Array.from({ length: S }, (_, s) => Array.from({ length: C }, (_, c) => x[(n * C + c) * S + s]!)));
}
