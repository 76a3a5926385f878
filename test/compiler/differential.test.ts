/**
 * Differential tests: random graphs (random-graphs.ts) realized by the compiled cpu device agree with the
 * reference interpreter in float64. Many graphs are realized in one program (one C compile per batch), so
 * hundreds of graphs cost a few compiles; the disk cache makes reruns cheap.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { build, printGraph, type Node } from '../../src/ir/index.js';
import { getDevice, interpret, plannedKernels } from '../../src/runtime/index.js';
import { GraphGen, Rng } from './random-graphs.js';

function check(roots: Node[], exact: boolean): void {
  const want = interpret(roots, { float64: true });
  const got = getDevice('cpu').execute(roots).map((b) => b.host!);
  roots.forEach((r, i) => {
    const a = Array.from((got[i]!) as ArrayLike<number | bigint>, Number);
    const b = Array.from((want[i]!) as ArrayLike<number | bigint>, Number);
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
const RUNS = 12;

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

  test('float32 graphs over larger shapes (threads, tiling, column and blocked reductions, GEMM)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const g = new GraphGen(new Rng(seed));
        const roots = Array.from({ length: 6 }, () => g.float(g.shape(3, 90), 3));
        check(roots, false);
      }),
      { numRuns: 3 },
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

describe('cpu agrees with the reference on large shapes (GEMM, split reductions, threads)', () => {
  const mm = (a: Node, b: Node): Node => {
    const [m, k] = a.shape as [number, number];
    const n = b.shape[1]!;
    const ae = build.expand(build.reshape(a, [m, k, 1]), [m, k, n]);
    const be = build.expand(build.reshape(b, [1, k, n]), [m, k, n]);
    return build.reshape(build.reduce(build.binary('mul', ae, be), 'sum', [1]), [m, n]);
  };
  test('contractions, long reductions, row softmax, big elementwise', () => {
    const g = new GraphGen(new Rng(12345));
    const roots: Node[] = [];
    // matmul with a transposed operand, bias and relu in the epilogue
    const x = g.buffer([67, 45], 'float32');
    const w = g.buffer([93, 45], 'float32');
    const bias = g.buffer([93], 'float32');
    const y = build.binary('add', mm(x, build.permute(w, [1, 0])), build.expand(build.reshape(bias, [1, 93]), [67, 93]));
    roots.push(build.binary('max', y, build.constant(0, 'float32', [67, 93])));
    // plain matmul written straight into its output, float32 and float64
    roots.push(mm(g.buffer([130, 70], 'float32'), g.buffer([70, 260], 'float32')));
    roots.push(mm(g.buffer([40, 50], 'float64'), g.buffer([50, 33], 'float64')));
    // batched: [3, 20, 33] x [3, 33, 17]
    const a3 = g.buffer([3, 20, 33], 'float32');
    const b3 = g.buffer([3, 33, 17], 'float32');
    const full = [3, 20, 33, 17];
    roots.push(
      build.reduce(build.binary('mul', build.expand(build.reshape(a3, [3, 20, 33, 1]), full), build.expand(build.reshape(b3, [3, 1, 33, 17]), full)), 'sum', [2]),
    );
    // long single-row reductions (split into chunks)
    const big = g.buffer([1 << 17], 'float32');
    roots.push(build.reduce(big, 'sum', [0]), build.reduce(big, 'max', [0]), build.reduce(build.unary('exp', build.unary('tanh', big)), 'min', [0]));
    // row softmax over [300, 200]
    const s = g.buffer([300, 200], 'float32');
    const m = build.expand(build.reduce(s, 'max', [1]), [300, 200]);
    const e = build.unary('exp', build.binary('sub', s, m));
    roots.push(build.binary('div', e, build.expand(build.reduce(e, 'sum', [1]), [300, 200])));
    // big elementwise with a view, and a column sum
    const t = g.buffer([512, 300], 'float32');
    roots.push(build.binary('mul', build.unary('tanh', t), build.permute(g.buffer([300, 512], 'float32'), [1, 0])));
    roots.push(build.reduce(g.buffer([4000, 30], 'float32'), 'sum', [0]));
    check(roots, false);
  });
});

describe('convolution as window views and a contraction', () => {
  test('conv1d over sliding windows built from view ops is one GEMM kernel and agrees with the reference', () => {
    const g = new GraphGen(new Rng(5));
    const [B, Cin, Cout, L, K] = [2, 6, 32, 40, 3];
    const N = L + K - 1;
    const x = g.buffer([B, Cin, N], 'float32');
    const w = g.buffer([Cout, Cin, K], 'float32');
    // windows[b, c, k, l] = x[b, c, k + l]: tile each row K times, shift row k by k through a reshape
    const tiled = build.expand(build.reshape(x, [B, Cin, 1, N]), [B, Cin, K, N]);
    const flat = build.pad(build.reshape(tiled, [B, Cin, K * N]), [[0, 0], [0, 0], [0, K]], 0);
    const win = build.slice(build.reshape(flat, [B, Cin, K, N + 1]), [0, 0, 0, 0], [B, Cin, K, L]);
    // out[b, o, l] = sum_{c,k} w[o, c, k] * win[b, c, k, l]
    const full = [B, Cout, Cin, K, L];
    const a = build.expand(build.reshape(win, [B, 1, Cin, K, L]), full);
    const ww = build.expand(build.reshape(w, [1, Cout, Cin, K, 1]), full);
    const out = build.reshape(build.reduce(build.binary('mul', a, ww), 'sum', [2, 3]), [B, Cout, L]);
    const ks = plannedKernels([out]);
    expect(ks).toHaveLength(1);
    expect(ks[0]!.kind).toBe('gemm');
    check([out], false);
  });
});
