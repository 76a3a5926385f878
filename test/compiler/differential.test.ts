/**
 * Differential tests: random graphs (random-graphs.ts) realized by the compiled cpu device agree with the
 * reference interpreter in float64. Many graphs are realized in one program (one C compile per batch), so
 * hundreds of graphs cost a few compiles; the disk cache makes reruns cheap.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { printGraph, type Node } from '../../src/ir/index.js';
import { getDevice, interpret } from '../../src/runtime/index.js';
import { GraphGen, Rng } from './random-graphs.js';

function check(roots: Node[], exact: boolean): void {
  const want = interpret(roots, { float64: true });
  const got = getDevice('cpu').execute(roots).map((b) => b.host!);
  roots.forEach((r, i) => {
    const a = Array.from(got[i]!);
    const b = Array.from(want[i]!);
    expect(a.length).toBe(b.length);
    for (let j = 0; j < a.length; j++) {
      const x = a[j]!;
      const y = b[j]!;
      const ok = exact ? x === y || (Number.isNaN(x) && Number.isNaN(y)) : Math.abs(x - y) <= 2e-4 * (1 + Math.abs(y)) || (Number.isNaN(x) && Number.isNaN(y));
      if (!ok) {
        throw new Error(`graph ${i}, element ${j}: cpu ${x}, reference ${y}\n${printGraph([r])}`);
      }
    }
  });
}

const BATCH = 12;
const RUNS = 8;

describe('cpu agrees with the float64 reference on random graphs', () => {
  test('float32 graphs: views, broadcasts, reductions, contractions, scans, gathers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const g = new GraphGen(new Rng(seed));
        const roots = Array.from({ length: BATCH }, () => g.float(g.shape(), 4));
        check(roots, false);
      }),
      { numRuns: RUNS },
    );
  });

  test('float64 graphs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const g = new GraphGen(new Rng(seed));
        const roots = Array.from({ length: BATCH }, () => g.float(g.shape(), 3, 'float64'));
        check(roots, false);
      }),
      { numRuns: 3 },
    );
  });

  test('int32 graphs agree exactly (wrapping, floor division, Python remainder)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const g = new GraphGen(new Rng(seed));
        const roots = Array.from({ length: BATCH }, () => g.int(g.shape(), 4));
        check(roots, true);
      }),
      { numRuns: 4 },
    );
  });

  test('bool graphs agree exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const g = new GraphGen(new Rng(seed));
        const roots = Array.from({ length: BATCH }, () => g.bool(g.shape(), 4));
        check(roots, true);
      }),
      { numRuns: 3 },
    );
  });
});
