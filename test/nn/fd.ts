/**
 * Central finite-difference gradient checks in float64 on the interp device, shared by the nn gradient tests.
 */
import { expect } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { nest, randomValues, rng } from './reference.js';

export const dev = 'interp';
export const flat = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);
export const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
export const make = (vals: readonly number[], shape: readonly number[], requiresGrad = false): torch.Tensor =>
  torch.tensor(nest([...vals], shape) as torch.TensorData, { dtype: 'float64', device: dev, requiresGrad });

export interface Arg {
  shape: number[];
  values?: number[];
  /** Not differentiated (labels, targets). */
  fixed?: torch.Tensor;
}

/**
 * Check d<f(args), ct>/d arg against (f(arg + eps) - f(arg - eps)) / 2 eps for every element of every float arg
 * without `fixed` (ct a random cotangent).
 */
export function checkGrads(f: (...xs: torch.Tensor[]) => torch.Tensor, args: Arg[], opts: { seed?: number; eps?: number; rtol?: number; atol?: number } = {}): void {
  const seed = opts.seed ?? 1;
  const eps = opts.eps ?? 1e-6;
  const vals = args.map((a, i) => a.values ?? randomValues(prod(a.shape), seed * 31 + i, -1.5, 1.5));
  const leaves = args.map((a, i) => a.fixed ?? make(vals[i]!, a.shape, true));
  const out = f(...leaves);
  const r = rng(seed + 1000);
  const ct = Array.from({ length: out.numel() }, () => r() * 2 - 1);
  const ctT = make(ct, out.shape);
  out.mul(ctT).sum().backward();
  const value = (xs: number[][]): number =>
    torch.noGrad(() => {
      const y = flat(f(...args.map((a, i) => a.fixed ?? make(xs[i]!, a.shape))));
      return y.reduce((s, v, k) => s + v * ct[k]!, 0);
    });
  args.forEach((a, i) => {
    if (a.fixed) return;
    const g = leaves[i]!.grad;
    expect(g, `gradient of argument ${i}`).not.toBeNull();
    const analytic = flat(g!);
    const numeric = vals[i]!.map((v, j) => {
      const xs = vals.map((x) => [...x]);
      xs[i]![j] = v + eps;
      const fp = value(xs);
      xs[i]![j] = v - eps;
      const fm = value(xs);
      return (fp - fm) / (2 * eps);
    });
    expectClose(analytic, numeric, { rtol: opts.rtol ?? 1e-5, atol: opts.atol ?? 1e-7 });
  });
}
