/**
 * Float32 reductions accumulate well enough to agree with a float64 reference to 1e-5 relative over 2^24
 * elements (the reference here is a plain double sum of the same float32 values, exact to ~1e-9).
 */
import { describe, expect, test } from 'vitest';
import { build } from '../../src/ir/index.js';
import { CpuDevice, getDevice } from '../../src/runtime/index.js';
import { Rng } from './random-graphs.js';

const cpu = getDevice('cpu');
const N = 1 << 24;
const rng = new Rng(77);
const data = new Float32Array(N);
for (let i = 0; i < N; i++) data[i] = rng.next() * 2 + 0.001; // positive: relative error is meaningful
const x = build.buffer(cpu.fromHost('float32', data));

function refSum(f: (v: number, i: number) => number, n = N, start = 0, stride = 1): number {
  let s = 0;
  for (let i = 0, j = start; i < n; i++, j += stride) s += f(data[j]!, j);
  return s;
}
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('float32 sums over 2^24 elements', () => {
  test('a full sum and a fused sum of products', () => {
    const y = build.buffer(cpu.fromHost('float32', data.map((v) => 1.5 - v / 3)));
    const [s, sp] = cpu.execute([build.reduce(x, 'sum', [0]), build.reduce(build.binary('mul', x, y), 'sum', [0])]);
    expect(rel(s!.host![0] as number, refSum((v) => v))).toBeLessThan(1e-5);
    expect(rel(sp!.host![0] as number, refSum((v) => v * Math.fround(1.5 - v / 3)))).toBeLessThan(1e-5);
  });
  test('row sums of [16, 2^20] and column sums of [2^20, 16]', () => {
    const rows = cpu.execute([build.reduce(build.reshape(x, [16, 1 << 20]), 'sum', [1])])[0]!.host! as Float32Array;
    for (let r = 0; r < 16; r++) expect(rel(rows[r]!, refSum((v) => v, 1 << 20, r << 20))).toBeLessThan(1e-5);
    const cols = cpu.execute([build.reduce(build.reshape(x, [1 << 20, 16]), 'sum', [0])])[0]!.host! as Float32Array;
    for (let c = 0; c < 16; c++) expect(rel(cols[c]!, refSum((v) => v, 1 << 20, c, 16))).toBeLessThan(1e-5);
  });
  test('the result does not depend on the thread count', () => {
    const saved = process.env.GRAFT_NUM_THREADS;
    process.env.GRAFT_NUM_THREADS = '1';
    const one = new CpuDevice('cpu'); // reads GRAFT_NUM_THREADS: kernels generated for one thread
    process.env.GRAFT_NUM_THREADS = '2';
    const two = new CpuDevice('cpu');
    if (saved === undefined) delete process.env.GRAFT_NUM_THREADS;
    else process.env.GRAFT_NUM_THREADS = saved;
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    const e = build.reduce(build.unary('exp', build.unary('neg', x)), 'sum', [0]);
    const a = one.execute([e])[0]!.host![0]!;
    const b = two.execute([e])[0]!.host![0]!;
    expect(a).toBe(b);
  });
});
