/**
 * Regressions found by fuzzing, each a pattern that once produced wrong results or a crash:
 * - GCC 12 -O3 (AVX2/AVX-512) miscompiled nests whose small inner loop it unrolled completely, selecting
 *   between two comparisons (fixed by keeping loops rolled: render/c/nest.ts NO_UNROLL);
 * - GCC 12 (AVX-512) faulted on a misaligned per-lane copy of the error flag in an `omp simd` reduction next
 *   to a masked gather (fixed by never making the flag a simd reduction);
 * - index expressions with a negative dividend rendered with C's truncating % read before the buffer
 *   (fixed by floor division in render/c/emit.ts).
 */
import { describe, expect, test } from 'vitest';
import { build, type Node } from '../../src/ir/index.js';
import { getDevice, interpret } from '../../src/runtime/index.js';
import { expectClose } from '../helpers.js';

const cpu = getDevice('cpu');
const same = (roots: Node[]): void => {
  const got = cpu.execute(roots).map((b) => Array.from((b.host!) as ArrayLike<number | bigint>, Number));
  const want = interpret(roots).map((a) => Array.from((a) as ArrayLike<number | bigint>, Number));
  expect(got).toEqual(want);
};
const i32 = (shape: number[], f: (i: number) => number): Node =>
  build.buffer(cpu.fromHost('int32', Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i))), shape);
const f64 = (shape: number[], f: (i: number) => number): Node =>
  build.buffer(cpu.fromHost('float64', Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i))), shape);

describe('fuzzing regressions', () => {
  test('a select between two comparisons in a nest with a short inner loop', () => {
    for (const n of [3, 5, 7, 16]) {
      const s = [5, n];
      // the pad keeps the two loops apart (its bounds involve the outer loop only)
      const e = build.pad(i32([3, n], (i) => (i * 7) % 5 - 2), [[1, 1], [0, 0]], 1);
      const cond = build.binary('lt', e, i32(s, (i) => (i * 3) % 7 - 3));
      const x = i32(s, (i) => ((i * 5) % 11) - 5);
      same([build.where(cond, i32(s, (i) => 100 + i), build.binary('idiv', x, build.constant(7, 'int32', s)))]);
      const other = build.where(build.binary('lt', x, build.constant(0, 'int32', s)), build.constant(5, 'int32', s), build.constant(6, 'int32', s));
      same([build.where(cond, i32(s, (i) => 100 + i), other)]);
    }
  });
  test('a sum of gathered values with bounds checks (int error flag next to a gather)', () => {
    const n = build.binary('mul', build.cumsum(build.unary('tanh', f64([3, 3], (i) => i / 4 - 1)), 1), build.constant(1 / 3, 'float64', [3, 3]));
    for (const cols of [5, 24, 40]) {
      const idx = i32([3, cols], (i) => (i * 7 + (i >> 2)) % 3);
      const r = build.reduce(build.gather(n, idx, 1), 'sum', [1]);
      expectClose(cpu.execute([r])[0]!.host!, interpret([r], { float64: true })[0]!, { rtol: 1e-12, atol: 1e-12 });
    }
  });
  test('a flipped view of a reshaped buffer inside a pad (negative index dividends)', () => {
    const b = build.buffer(cpu.fromHost('float32', Float32Array.from({ length: 58400 }, (_, i) => i % 97)));
    const h = build.flip(build.reshape(b, [25, 32, 73]), [0, 1, 2]);
    same([build.pad(h, [[1, 0], [1, 0], [1, 0]], 1.5)]);
  });
});
