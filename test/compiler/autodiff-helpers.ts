/**
 * Finite-difference checking of IR gradients on the float64 interpreter: the independent truth the VJP
 * rules are tested against.
 */
import { expect } from 'vitest';
import { vjp } from '../../src/compiler/autodiff/index.js';
import { build, numel, type DType, type Node, type Shape } from '../../src/ir/index.js';
import { Buffer } from '../../src/runtime/buffer.js';
import { interpret } from '../../src/runtime/interp.js';

/** A small seeded generator (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Input {
  node: Node;
  host: Float64Array | Int32Array | Uint8Array;
}

/** A buffer input with values from `gen` (float64 unless told). */
export function input(shape: Shape, gen: (i: number) => number, dtype: DType = 'float64'): Input {
  const n = numel(shape);
  const host = dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) host[i] = gen(i);
  const buf = new Buffer('interp', dtype, n, host as never);
  return { node: build.buffer(buf, shape), host };
}

export const uniform = (r: () => number, lo: number, hi: number) => (): number => lo + (hi - lo) * r();
/** Values with |x| in [lo, hi] and a random sign. */
export const awayFromZero = (r: () => number, lo = 0.3, hi = 2) => (): number => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r());

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

export function evalF64(nodes: readonly Node[]): Float64Array[] {
  return interpret(nodes, { float64: true }).map((a) => Float64Array.from(a as ArrayLike<number>));
}

/**
 * Check the vjp of `f` with respect to the float inputs in `wrtIdx` (default: all float inputs) against
 * central differences of <f(x), ct> with a random cotangent ct.
 */
export function checkGrad(
  f: (xs: Node[]) => Node,
  inputs: Input[],
  opts: { seed?: number; eps?: number; rtol?: number; atol?: number; wrt?: number[] } = {},
): void {
  const r = rng(opts.seed ?? 7);
  const eps = opts.eps ?? 1e-6;
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-6;
  const xs = inputs.map((i) => i.node);
  const out = f(xs);
  expect(out.dtype === 'float64' || out.dtype === 'float32', `output dtype ${out.dtype}`).toBe(true);
  const ct = input(out.shape, () => r() * 2 - 1, out.dtype);
  const wrt = opts.wrt ?? inputs.map((_, i) => i).filter((i) => inputs[i]!.node.dtype === 'float64' || inputs[i]!.node.dtype === 'float32');
  const grads = vjp([out], [ct.node], wrt.map((i) => xs[i]!));
  const present = grads.map((g, k) => {
    expect(g, `gradient of input ${wrt[k]} missing`).not.toBeNull();
    expect(g!.shape).toEqual(xs[wrt[k]!]!.shape);
    expect(g!.dtype).toBe(xs[wrt[k]!]!.dtype);
    return g!;
  });
  const analytic = evalF64(present);
  const value = (): number => dot(evalF64([out])[0]!, ct.host);
  wrt.forEach((idx, k) => {
    const host = inputs[idx]!.host as Float64Array;
    for (let j = 0; j < host.length; j++) {
      const v = host[j]!;
      host[j] = v + eps;
      const fp = value();
      host[j] = v - eps;
      const fm = value();
      host[j] = v;
      const numeric = (fp - fm) / (2 * eps);
      const a = analytic[k]![j]!;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        expect.fail(`input ${idx} element ${j}: analytic ${a}, numeric ${numeric}`);
      }
    }
  });
}

/** The first-order gradient of f with respect to input `k`, as a function of the inputs (for second-order checks). */
export function gradOf(f: (xs: Node[]) => Node, k: number, ct: Input): (xs: Node[]) => Node {
  return (xs) => {
    const out = f(xs);
    const [g] = vjp([out], [ct.node], [xs[k]!]);
    if (!g) throw new Error('no gradient');
    return g;
  };
}
