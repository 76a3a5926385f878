/**
 * Graphs of any depth: every walk of the compiler and the interpreter is iterative, and the cut
 * (schedule/cost.ts) bounds each kernel's fused expression, so a chain of any length compiles into kernels
 * of bounded size — all of one structure, compiled once — instead of overflowing the stack or making one C
 * expression of a hundred thousand terms.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { build, type Node } from '../../src/ir/index.js';
import { MAX_FUSED } from '../../src/compiler/schedule/cost.js';
import { getDevice, interpret, plannedKernels } from '../../src/runtime/index.js';
import { expectClose } from '../helpers.js';

const cpu = getDevice('cpu');
const ints = (xs: number[]): Node => build.buffer(cpu.fromHost('int32', Int32Array.from(xs)));

/** x + 3 - 2, n times over: n * 2 elementwise ops whose result is exactly x + n. */
function addSubChain(x: Node, n: number): Node {
  const three = build.constant(3, 'int32', x.shape);
  const two = build.constant(2, 'int32', x.shape);
  for (let i = 0; i < n; i++) x = build.binary('sub', build.binary('add', x, three), two);
  return x;
}

describe('the cut: kernels of bounded size', () => {
  test('an elementwise chain of 100,000 ops is cut into kernels of at most MAX_FUSED nodes, of one structure', () => {
    const x = ints([5, -7, 0, 1 << 20]);
    const y = addSubChain(x, 50_000);
    const ks = plannedKernels([y]);
    // Each op reads a constant: at most MAX_FUSED / 2 ops a kernel, at least MAX_FUSED / 4 (a cut leaves
    // kernels at least half full).
    expect(ks.length).toBeGreaterThanOrEqual(Math.ceil(100_000 / (MAX_FUSED / 2)));
    expect(ks.length).toBeLessThanOrEqual(Math.ceil(100_000 / (MAX_FUSED / 4)));
    for (const k of ks) expect(k.ops.length).toBeLessThanOrEqual(MAX_FUSED);
    expect(new Set(ks.map((k) => k.function)).size).toBeLessThanOrEqual(3);
    expect(Array.from(cpu.execute([y])[0]!.host! as Int32Array)).toEqual([50_005, 49_993, 50_000, (1 << 20) + 50_000]);
  });

  test('a chain of 60 ops stays one kernel (the cut never splits ordinary kernels)', () => {
    const x = ints([1, 2]);
    const y = addSubChain(x, 30);
    expect(plannedKernels([y])).toHaveLength(1);
    expect(Array.from(cpu.execute([y])[0]!.host! as Int32Array)).toEqual([31, 32]);
  });

  test('a chain of 4,001 views (flips) realizes: views are cut too', () => {
    let v: Node = ints([1, 2, 3, 4, 5]);
    for (let i = 0; i < 4_001; i++) v = build.flip(v, [0]);
    const ks = plannedKernels([v]);
    for (const k of ks) expect(k.ops.length).toBeLessThanOrEqual(MAX_FUSED);
    expect(Array.from(cpu.execute([v])[0]!.host! as Int32Array)).toEqual([5, 4, 3, 2, 1]);
  });
});

describe('the interpreter', () => {
  test('evaluates a chain of 200,000 ops', () => {
    const y = addSubChain(ints([1, -1]), 100_000);
    expect(Array.from(interpret([y])[0]! as Int32Array)).toEqual([100_001, 99_999]);
  });
});

describe('autograd through a deep graph', () => {
  test('a backward through 10,000 chained ops: gradient as by hand and as the float64 reference', () => {
    const a = Math.fround(1.0001);
    const w = torch.tensor([0.5, 1, 2, -3], { requiresGrad: true });
    let x = w;
    for (let i = 0; i < 5000; i++) x = x.mul(a).add(0.5);
    x.sum().backward();
    const grad = w.grad!;
    // d/dw of 5000 times (x * a + 0.5) is a^5000 for each element.
    const want = a ** 5000;
    expectClose(interpret([grad.node], { float64: true })[0]!, [want, want, want, want], { rtol: 1e-9 });
    // float32 rounds 5000 products: a few ulps each.
    expectClose(grad.numpy().data, [want, want, want, want], { rtol: 1e-3 });
    let byHand = [0.5, 1, 2, -3];
    for (let i = 0; i < 5000; i++) byHand = byHand.map((v) => v * a + 0.5);
    expectClose(x.detach().numpy().data, byHand, { rtol: 1e-3 });
  });
});
