/**
 * The float32 transcendental functions of generated kernels (src/compiler/render/c/math.ts) against the
 * float64 reference rounded to float32, in ulps, over wide ranges and the edge cases: NaN, infinities,
 * signed zeros, denormals, overflow and underflow thresholds, huge arguments of sin and cos.
 */
import { describe, expect, test } from 'vitest';
import { build, type UnaryOp } from '../../src/ir/index.js';
import { erf } from '../../src/ir/scalar-math.js';
import { getDevice } from '../../src/runtime/index.js';
import { Rng } from './random-graphs.js';

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** Position of a float on the number line of floats (so that ulp distance is a difference). */
function ordinal(x: number): number {
  f32[0] = x;
  const i = i32[0]!;
  return i < 0 ? -(i & 0x7fffffff) : i;
}
function ulps(got: number, want: number): number {
  if (Number.isNaN(want)) return Number.isNaN(got) ? 0 : Infinity;
  if (Number.isNaN(got)) return Infinity;
  if (got === want) return 0;
  return Math.abs(ordinal(got) - ordinal(want));
}

const rng = new Rng(2024);
/** Random floats with random exponents in [lo, hi] (powers of two), both signs if `signed`. */
function spread(n: number, lo: number, hi: number, signed = true): number[] {
  return Array.from({ length: n }, () => {
    const v = (1 + rng.next()) * 2 ** rng.int(lo, hi);
    return signed && rng.chance(0.5) ? -v : v;
  });
}
const linspace = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, -1e-40, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 1, -1];

function run(op: UnaryOp, xs: number[]): Float32Array {
  const dev = getDevice('cpu');
  const input = Float32Array.from(xs);
  const [out] = dev.execute([build.unary(op, build.buffer(dev.fromHost('float32', input)))]);
  return out!.host as Float32Array;
}

function worst(op: UnaryOp, ref: (x: number) => number, xs: number[]): { ulps: number; at: number; got: number; want: number } {
  const inputs = Float32Array.from(xs);
  const got = run(op, Array.from(inputs));
  let w = { ulps: 0, at: NaN, got: NaN, want: NaN };
  inputs.forEach((x, i) => {
    const want = Math.fround(ref(x));
    const u = ulps(got[i]!, want);
    if (u > w.ulps) w = { ulps: u, at: x, got: got[i]!, want };
  });
  return w;
}

function within1ulp(op: UnaryOp, ref: (x: number) => number, xs: number[]): void {
  const w = worst(op, ref, xs);
  expect(w.ulps, `${op}(${w.at}) = ${w.got}, reference ${w.want}`).toBeLessThanOrEqual(1);
}

describe('float32 math in generated kernels is within 1 ulp of the float64 reference', () => {
  test('exp', () => {
    const xs = [...linspace(-110, 95, 20001), ...spread(2000, -30, 6), ...SPECIAL, 88.72283, 88.72284, -87.33655, -103.97208, -103.9721];
    within1ulp('exp', Math.exp, xs);
  });
  test('log', () => {
    const xs = [...spread(20000, -149, 127, false), ...linspace(0.5, 2, 5001), ...SPECIAL, -2, 0.99999994, 1.0000001];
    within1ulp('log', Math.log, xs);
  });
  test('sin and cos, including huge arguments', () => {
    const near = Array.from({ length: 400 }, (_, k) => Math.fround((k * Math.PI) / 2));
    const xs = [...linspace(-20, 20, 20001), ...spread(20000, -149, 127), ...near, ...SPECIAL, 1e6, 1e9, 1e22, 3e38];
    within1ulp('sin', Math.sin, xs);
    within1ulp('cos', Math.cos, xs);
  });
  test('tanh', () => {
    const xs = [...linspace(-12, 12, 20001), ...spread(5000, -149, 5), ...SPECIAL, 0.0625, -0.0625, 0.06249999];
    within1ulp('tanh', Math.tanh, xs);
  });
  test('erf', () => {
    const xs = [...linspace(-6, 6, 20001), ...spread(5000, -149, 3), ...SPECIAL, 0.99999994, 1, 1.0000001, 3.9999998, 4];
    within1ulp('erf', erf, xs);
  });
});

describe('the math compiles to vector code', () => {
  test('a loop of exp, log, sin, tanh and erf has no calls to the C library', async () => {
    const { plannedKernels } = await import('../../src/runtime/index.js');
    const x = build.buffer(getDevice('cpu').fromHost('float32', new Float32Array(4096)));
    const y = ['exp', 'log', 'sin', 'cos', 'tanh', 'erf'].reduce((a, op) => build.unary(op as UnaryOp, a), x);
    const src = plannedKernels([y])[0]!.source;
    expect(src).not.toMatch(/\b(expf|logf|sinf|cosf|tanhf|erff)\(/);
  });
});
