/**
 * Kernel-count tests: one per fusion rule of src/compiler/schedule/schedule.ts (and the cost rule of
 * cost.ts). Each also checks the values against the float64 reference, so a rule cannot be "met" by
 * computing something else.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { build, type Node } from '../../src/ir/index.js';
import { getDevice, interpret, plannedKernels } from '../../src/runtime/index.js';
import { chooseMaterialized } from '../../src/compiler/schedule/schedule.js';
import { expectClose } from '../helpers.js';
import { GraphGen, Rng } from './random-graphs.js';

const g = new GraphGen(new Rng(99));
const buf = (shape: number[], dtype: 'float32' | 'int32' = 'float32'): Node => g.buffer(shape, dtype);
const c = (v: number, shape: readonly number[]): Node => build.constant(v, 'float32', shape);

function agrees(roots: Node[], tol = 1e-4): void {
  const want = interpret(roots, { float64: true });
  const got = getDevice('cpu').execute(roots);
  roots.forEach((_, i) => expectClose(got[i]!.host!, want[i]!, { rtol: tol, atol: tol }));
}

function matmul(a: Node, b: Node): Node {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const ae = build.expand(build.reshape(a, [m, k, 1]), [m, k, n]);
  const be = build.expand(build.reshape(b, [1, k, n]), [m, k, n]);
  return build.reshape(build.reduce(build.binary('mul', ae, be), 'sum', [1]), [m, n]);
}

describe('rule 2: elementwise chains are one kernel', () => {
  test('a chain of 60 ops', () => {
    let x = buf([7, 9]);
    const y = buf([7, 9]);
    for (let i = 0; i < 20; i++) x = build.binary('add', build.unary('tanh', build.binary('mul', x, y)), c(0.5, [7, 9]));
    expect(plannedKernels([x])).toHaveLength(1);
    agrees([x]);
  });
  test('((x*2+y).exp()*y).sum() through the Tensor API is one kernel', () => {
    const x = torch.rand(1000);
    const y = torch.rand(1000);
    const z = x.mul(2).add(y).exp().mul(y);
    const s = build.reduce(z.node, 'sum', [0]);
    const ks = plannedKernels([s]);
    expect(ks).toHaveLength(1);
    expect(ks[0]!.ops).toEqual(expect.arrayContaining(['exp', 'reduce', 'rand']));
    agrees([s]);
  });
});

describe('rule 3: movement ops never copy by themselves', () => {
  test('a view chain of a buffer is one copy kernel; views inside a chain add none', () => {
    const x = buf([4, 6]);
    let v = build.permute(x, [1, 0]); // [6,4]
    v = build.slice(v, [1, 0], [2, 4], [2, 1]); // [2,4]
    v = build.pad(v, [[1, 0], [0, 2]], 3); // [3,6]
    v = build.flip(v, [1]);
    v = build.reshape(v, [18]);
    v = build.expand(build.reshape(v, [1, 18]), [2, 18]);
    expect(plannedKernels([v])).toHaveLength(1);
    const w = build.binary('add', build.unary('exp', v), build.permute(buf([18, 2]), [1, 0]));
    expect(plannedKernels([w])).toHaveLength(1);
    agrees([v, w]);
  });
  test('a contiguous elementwise kernel over [A,B,C] is one unit-stride loop', () => {
    const x = buf([8, 16, 32]);
    const ks = plannedKernels([build.unary('exp', x)]);
    expect(ks[0]!.source).toMatch(/for \(long i0_1_2 = 0; i0_1_2 < \(4096\)/);
    expect(ks[0]!.source).toContain('p0[i0_1_2]');
  });
});

describe('rule 4: reductions absorb the elementwise work before and after them', () => {
  test('relu(x @ w.T + b) is one (GEMM) kernel', () => {
    const x = buf([64, 48]);
    const w = buf([40, 48]);
    const b = buf([40]);
    const y = build.binary('add', matmul(x, build.permute(w, [1, 0])), build.expand(build.reshape(b, [1, 40]), [64, 40]));
    const r = build.where(build.binary('gt', y, c(0, [64, 40])), y, c(0, [64, 40]));
    const ks = plannedKernels([r]);
    expect(ks).toHaveLength(1);
    expect(ks[0]!.kind).toBe('gemm');
    agrees([r]);
  });
  test('x - x.mean(1, keepdim) is one kernel', () => {
    const x = buf([6, 10]);
    const mean = build.binary('mul', build.reduce(x, 'sum', [1]), c(0.1, [6, 1]));
    const r = build.binary('sub', x, build.expand(mean, [6, 10]));
    expect(plannedKernels([r]).length).toBeLessThanOrEqual(1);
    agrees([r]);
  });
  test('row softmax is one kernel (three passes over each row)', () => {
    const x = buf([5, 33]);
    const m = build.expand(build.reduce(x, 'max', [1]), [5, 33]);
    const e = build.unary('exp', build.binary('sub', x, m));
    const sm = build.binary('div', e, build.expand(build.reduce(e, 'sum', [1]), [5, 33]));
    const ks = plannedKernels([sm]);
    expect(ks).toHaveLength(1);
    expect(ks[0]!.ops.filter((o) => o === 'reduce')).toHaveLength(2);
    agrees([sm]);
  });
  test('layer norm (mean, variance, normalize) is one kernel', () => {
    const x = buf([4, 20]);
    const mean = build.expand(build.binary('mul', build.reduce(x, 'sum', [1]), c(1 / 20, [4, 1])), [4, 20]);
    const d = build.binary('sub', x, mean);
    const v = build.binary('mul', build.reduce(build.binary('mul', d, d), 'sum', [1]), c(1 / 20, [4, 1]));
    const inv = build.unary('recip', build.unary('sqrt', build.binary('add', v, c(1e-5, [4, 1]))));
    const y = build.binary('mul', d, build.expand(inv, [4, 20]));
    expect(plannedKernels([y])).toHaveLength(1);
    agrees([y]);
  });
  test('a reduction read at another row than it computes is materialized', () => {
    const x = buf([4, 5]);
    const s = build.reduce(x, 'sum', [1]); // [4,1]
    const t = build.expand(build.reshape(s, [1, 4]), [5, 4]); // read transposed
    const r = build.binary('add', t, build.reshape(x, [5, 4]));
    expect(plannedKernels([r])).toHaveLength(2);
    agrees([r]);
  });
  test('reductions over different axes are separate kernels', () => {
    const x = buf([6, 7]);
    const a = build.reduce(build.reduce(x, 'sum', [1]), 'max', [0]);
    expect(plannedKernels([a])).toHaveLength(2);
    agrees([a]);
  });
});

/** The values the cost rule materializes (before multi-output grouping merges kernels sharing loops). */
const materialized = (roots: Node[]): Node[] => chooseMaterialized(roots, (n) => n.op === 'buffer', new Set());

describe('rule 5: the cost rule for values read by several kernels', () => {
  test('a cheap value used by two roots is recomputed in each', () => {
    const x = buf([50]);
    const t = build.binary('mul', x, c(2, [50]));
    const r1 = build.binary('add', t, c(1, [50]));
    const r2 = build.unary('tanh', t);
    expect(materialized([r1, r2])).toEqual([r1, r2]);
    // rule 8: the two roots share their loops: one kernel writes both
    expect(plannedKernels([r1, r2])).toHaveLength(1);
    agrees([r1, r2]);
  });
  test('an expensive value used by two roots is materialized once', () => {
    const x = buf([50]);
    const t = build.unary('exp', build.unary('sin', x));
    const r1 = build.binary('add', t, c(1, [50]));
    const r2 = build.unary('tanh', t);
    expect(materialized([r1, r2])).toEqual([t, r1, r2]);
    // rule 8: t is computed once, in the kernel writing both roots, and never stored
    const ks = plannedKernels([r1, r2]);
    expect(ks).toHaveLength(1);
    expect(ks[0]!.source.match(/graft_expf/g)).toHaveLength(1);
    agrees([r1, r2]);
  });
  test('an expensive broadcast value is materialized, a cheap one recomputed', () => {
    const a = buf([8, 1]);
    const y = buf([8, 30]);
    const dear = build.binary('mul', build.expand(build.unary('exp', build.unary('sin', a)), [8, 30]), y);
    expect(plannedKernels([dear])).toHaveLength(2);
    const cheap = build.binary('mul', build.expand(build.binary('mul', a, c(3, [8, 1])), [8, 30]), y);
    expect(plannedKernels([cheap])).toHaveLength(1);
    agrees([dear, cheap]);
  });
  test('a reduction read by two kernels is materialized', () => {
    const x = buf([6, 9]);
    const s = build.reduce(x, 'sum', [1]);
    const r1 = build.binary('mul', s, c(2, [6, 1]));
    const r2 = build.binary('sub', x, build.expand(s, [6, 9]));
    // (the order is the schedule's business: compared as sets)
    expect(new Set(materialized([r1, r2]))).toEqual(new Set([s, r1, r2]));
    // rule 8: per row of s, r1 and r2 (over the row) are written by the kernel computing s
    expect(plannedKernels([r1, r2])).toHaveLength(1);
    agrees([r1, r2]);
  });
  test('a dear value read by a row reduction over it and by values over its shape is not materialized', () => {
    // Cross entropy's exp: its sum (for the loss) and the gradient read it; they share one kernel's loops.
    const x = buf([6, 9]);
    const e = build.unary('exp', build.unary('sin', x));
    const s = build.reduce(e, 'sum', [1]);
    const loss = build.unary('log', s);
    const grad = build.binary('div', e, build.expand(s, [6, 9]));
    expect(materialized([grad, loss])).not.toContain(e);
    const ks = plannedKernels([grad, loss]);
    expect(ks).toHaveLength(1);
    expect(ks[0]!.source.match(/graft_expf\(/g)).toHaveLength(1);
    agrees([grad, loss]);
    // Written into an assign target, the gradient is a kernel of its own: then exp is stored once and read.
    expect(chooseMaterialized([grad, loss], (n) => n.op === 'buffer', new Set(), undefined, (n) => n === grad)).toContain(e);
    const into = build.assign(buf([6, 9]), grad);
    const withAssign = plannedKernels([into, loss]);
    expect(withAssign.reduce((k, kk) => k + (kk.source.match(/graft_expf\(/g)?.length ?? 0), 0)).toBe(1);
  });
  test('a broadcast or window view is never materialized in its expanded form (its source is)', () => {
    const a = buf([16, 32]);
    const dear = build.unary('exp', build.unary('sin', a));
    const wide = build.expand(build.reshape(dear, [16, 32, 1]), [16, 32, 10]);
    const r1 = build.reduce(build.binary('mul', wide, build.expand(build.reshape(buf([32, 10]), [1, 32, 10]), [16, 32, 10])), 'sum', [1]);
    const r2 = build.reduce(build.binary('mul', wide, build.expand(build.reshape(buf([16, 10]), [16, 1, 10]), [16, 32, 10])), 'sum', [0]);
    const K = materialized([r1, r2]);
    expect(K).toContain(dear);
    expect(K.some((n) => n.op === 'expand' || n.op === 'reshape')).toBe(false);
    agrees([r1, r2]);
  });
});

describe('rule 8: kernels sharing loops are one kernel with several outputs', () => {
  test("an Adam-like update: both moments and the parameter are written by one kernel", () => {
    const [p, m, v, gr] = [buf([40, 30]), buf([40, 30]), buf([40, 30]), buf([40, 30])];
    const m1 = build.binary('add', build.binary('mul', m, c(0.9, [40, 30])), build.binary('mul', gr, c(0.1, [40, 30])));
    const v1 = build.binary('add', build.binary('mul', v, c(0.999, [40, 30])), build.binary('mul', build.binary('mul', gr, gr), c(0.001, [40, 30])));
    const p1 = build.binary('sub', p, build.binary('div', m1, build.binary('add', build.unary('sqrt', v1), c(1e-8, [40, 30]))));
    const ks = plannedKernels([m1, v1, p1]);
    expect(ks).toHaveLength(1);
    agrees([m1, v1, p1]);
  });
  test('a weight gradient (a sum over the batch) and its transposed update are one contraction kernel', () => {
    const x = buf([64, 48]);
    const gy = buf([64, 40]);
    const w = buf([40, 48]);
    // dW[o, i] = sum_b gy[b, o] x[b, i]: the contraction [b, i, o] summed over b, read transposed by the update
    const full = [64, 48, 40];
    const dwT = build.reduce(
      build.binary('mul', build.expand(build.reshape(x, [64, 48, 1]), full), build.expand(build.reshape(gy, [64, 1, 40]), full)),
      'sum',
      [0],
    );
    const upd = build.binary('sub', w, build.binary('mul', build.permute(build.reshape(dwT, [48, 40]), [1, 0]), c(0.1, [40, 48])));
    const ks = plannedKernels([upd]);
    expect(ks).toHaveLength(1);
    expect(ks[0]!.kind).toBe('gemm');
    agrees([upd]);
  });
  test('values read at another index than they are computed are not merged', () => {
    const x = buf([12, 12]);
    const t = build.contiguous(build.unary('exp', x));
    const r = build.binary('add', t, build.permute(t, [1, 0]));
    expect(plannedKernels([r])).toHaveLength(2);
    agrees([r]);
  });
});

describe('rule 6: contiguous, detach, scans, scatters, gathers', () => {
  test('contiguous is materialized, detach is free', () => {
    const x = buf([5, 5]);
    const t = build.contiguous(build.permute(build.unary('exp', x), [1, 0]));
    const r = build.binary('add', t, build.detach(t));
    expect(materialized([r])).toEqual([t, r]);
    // rule 8: r reads t where t is computed: one kernel (t is not stored)
    expect(plannedKernels([r])).toHaveLength(1);
    expect(plannedKernels([build.detach(build.unary('exp', x))])).toHaveLength(1);
    agrees([r]);
  });
  test('cumsum and scatterAdd are kernels of their own that fuse their inputs', () => {
    const x = buf([4, 6]);
    const cs = build.cumsum(build.unary('exp', x), 1);
    expect(plannedKernels([cs])).toHaveLength(1);
    const idx = g.buffer([3, 6], 'int32');
    const ix = build.binary('mod', build.unary('abs', idx), build.constant(4, 'int32', [3, 6]));
    const sa = build.scatterAdd(build.unary('tanh', x), ix, build.unary('sin', buf([3, 6])), 0);
    expect(plannedKernels([sa])).toHaveLength(1);
    agrees([cs, sa]);
  });
  test('gather fuses: a bounds-checked load in the reading kernel', () => {
    const src = buf([5, 4]);
    const idx = build.buffer(getDevice('cpu').fromHost('int32', Int32Array.from([4, 0, 2, 1, 3, 3])), [6, 1]);
    const gt = build.unary('exp', build.gather(build.unary('tanh', src), build.expand(idx, [6, 4]), 0));
    expect(plannedKernels([gt])).toHaveLength(1);
    agrees([gt]);
  });
});

describe('rule 7: ordering and in-place writes', () => {
  test('assigns read every old value before writing (swap)', () => {
    const dev = getDevice('cpu');
    const A = dev.fromHost('float32', Float32Array.from([1, 2, 3]));
    const B = dev.fromHost('float32', Float32Array.from([10, 20, 30]));
    const a = build.buffer(A);
    const b = build.buffer(B);
    const r1 = build.assign(a, build.binary('add', b, c(1, [3])));
    const r2 = build.assign(b, build.binary('add', a, c(1, [3])));
    dev.execute([r1, r2]);
    expect(Array.from((A.host!) as ArrayLike<number | bigint>, Number)).toEqual([11, 21, 31]);
    expect(Array.from((B.host!) as ArrayLike<number | bigint>, Number)).toEqual([2, 3, 4]);
  });
  test('an in-place op on memory shared with JS writes into that memory', () => {
    const t = torch.tensor([1, 2, 3], { dtype: 'float32' });
    const buffer = t._share();
    const mem = buffer.host!;
    t.add_(t.mul(2));
    expect(Array.from((mem) as ArrayLike<number | bigint>, Number)).toEqual([3, 6, 9]);
    expect(t.tolist()).toEqual([3, 6, 9]);
  });
});
