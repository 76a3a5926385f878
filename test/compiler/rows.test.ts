/**
 * Row reductions as the rows order renders them (src/compiler/render/c/reduce.ts, stash.ts): softmax,
 * log-softmax, layer norm and cross entropy (loss and gradient) against the float64 reference on awkward
 * inputs, and the promises of their kernels: one kernel, one exp per element (the output pass reads back what
 * the sum pass stored), a multiplication by the per-row reciprocal instead of a division per element, and
 * results that do not depend on how rows are handed to threads.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { compilerCommand, DEFAULT_CFLAGS } from '../../src/compiler/cc.js';
import { renderFile } from '../../src/compiler/render/c/index.js';
import * as torch from '../../src/index.js';
import { build, type Node } from '../../src/ir/index.js';
import { CpuDevice, getDevice, interpret, plannedKernels } from '../../src/runtime/index.js';
import { expectClose } from '../helpers.js';
import { Rng } from './random-graphs.js';

const F = torch.nn.functional;
const rng = new Rng(4242);

/** Rows of random values: mostly N(0, scale)-like, with some large magnitudes, -inf and exact ties. */
function rows(R: number, C: number, opts: { scale?: number; negInf?: number } = {}): Float32Array {
  const scale = opts.scale ?? 3;
  const x = new Float32Array(R * C);
  for (let i = 0; i < x.length; i++) {
    const u = rng.next();
    x[i] = u < 0.01 ? (rng.next() - 0.5) * 2e4 : (rng.next() * 2 - 1) * scale;
    if (opts.negInf && rng.next() < opts.negInf) x[i] = -Infinity;
  }
  return x;
}
const tensor = (data: Float32Array, R: number, C: number): torch.Tensor => torch.fromNumpy({ data, shape: [R, C] });
/** Class labels (int64, as PyTorch's). */
const labels = (n: number, f: (i: number) => number): BigInt64Array => BigInt64Array.from({ length: n }, (_, i) => BigInt(f(i)));

/** Values computed on cpu (float32) against the interp device in float64. */
function agrees(nodes: Node[], rtol: number, atol = 1e-7): void {
  const want = interpret(nodes, { float64: true });
  const got = getDevice('cpu').execute(nodes);
  nodes.forEach((_, i) => expectClose(got[i]!.host!, want[i]!, { rtol, atol }));
}

// Shapes: odd row lengths (no multiple of any vector width), a row of one, rows longer than the L2 cache
// (3 x 300000 floats: 1.2 MB a row), and a row of 2^15 + 3 alone (the split order: chunks in parallel).
const SHAPES: [number, number][] = [
  [7, 13],
  [64, 10],
  [33, 1001],
  [5, 1],
  [3, 300000],
  [1, 32771],
];

describe('softmax and log-softmax against the float64 reference', () => {
  for (const [R, C] of SHAPES) {
    test(`[${R}, ${C}] with large magnitudes and -inf entries`, () => {
      const x = tensor(rows(R, C, { negInf: 0.05 }), R, C);
      agrees([x.softmax(1).node], 2e-6, 1e-30);
      // x - max - log(sum): near 0 at the maximum, an absolute error of float32's log(sum) remains.
      agrees([x.logSoftmax(1).node], 2e-6, 1e-6);
    });
  }
  test('rows that are all -inf give NaN (softmax) and NaN (log-softmax), as PyTorch; +inf entries', () => {
    const data = new Float32Array([-Infinity, -Infinity, -Infinity, 1, Infinity, 2, 0, 0, 0]);
    const x = tensor(data, 3, 3);
    const s = x.softmax(1).tolist() as number[][];
    expect(s[0]).toEqual([NaN, NaN, NaN]);
    expect(s[1]).toEqual([NaN, NaN, NaN]); // inf - inf
    expectClose(s[2], [1 / 3, 1 / 3, 1 / 3]);
    agrees([x.softmax(1).node, x.logSoftmax(1).node], 2e-6, 1e-6);
  });
  test('a softmax over the first axis (rows are columns of memory)', () => {
    const x = tensor(rows(257, 31), 257, 31);
    agrees([x.softmax(0).node], 2e-6, 1e-30);
    agrees([x.logSoftmax(0).node], 2e-6, 1e-6);
  });
});

describe('stashes', () => {
  test('a dear value that is the same along the row is not stashed (found by the random graphs)', () => {
    // erf of a value broadcast along the reduced axis: computed once per row, read by two phases and the
    // output (a stash of it once declared its name twice: C did not compile).
    const a = build.buffer(getDevice('cpu').fromHost('float32', rows(5, 4)), [5, 1, 4]);
    const d = build.expand(build.unary('erf', build.flip(a, [0])), [5, 2, 4]);
    const g = build.binary('add', d, build.expand(build.reduce(d, 'max', [1]), [5, 2, 4]));
    const j = build.binary('mul', g, build.expand(build.reduce(g, 'min', [1]), [5, 2, 4]));
    agrees([j], 1e-6, 1e-7);
  });
});

describe('division by a per-row result (a multiplication by its reciprocal)', () => {
  test('x / x.sum(1) for row sums that are denormal, huge, zero, infinite, NaN and ordinary', () => {
    const C = 37;
    const scales = [1e-44, 3e-40, 1e-20, 1, 1e20, 1e36, 0];
    const data = new Float32Array(scales.length * C + 3 * C);
    scales.forEach((sc, r) => {
      for (let j = 0; j < C; j++) data[r * C + j] = sc * (0.5 + rng.next()) * (j % 5 === 0 ? -0.25 : 1);
    });
    const base = scales.length * C;
    for (let j = 0; j < C; j++) data[base + j] = j === 3 ? Infinity : 1;
    for (let j = 0; j < C; j++) data[base + C + j] = j === 3 ? NaN : 1;
    for (let j = 0; j < C; j++) data[base + 2 * C + j] = j - 18; // sums to 0: a / 0
    const x = tensor(data, scales.length + 3, C);
    const q = x.div(x.sum(1, { keepdim: true }));
    const ks = plannedKernels([q.node]);
    expect(ks).toHaveLength(1);
    expect(count(body(ks[0]!.source, ks[0]!.function), '(1.0f / ')).toBe(1);
    // Within two roundings of the quotient of the float32 values (which is what the reference computes).
    agrees([q.node], 3e-7, 0);
  });
});

describe('layer norm and cross entropy against the float64 reference', () => {
  test('cross entropy over [N, C, d] (rows are pairs of loops, pipelined) and a softmax over a middle axis', () => {
    const x = torch.fromNumpy({ data: rows(6, 11 * 5), shape: [6, 11, 5] }).requiresGrad_();
    const y = torch.fromNumpy({ data: labels(30, () => rng.int(0, 10)), shape: [6, 5] });
    const loss = F.crossEntropy(x, y);
    loss.backward();
    agrees([x.grad!.node, loss.node], 1e-5, 1e-9);
    agrees([x.softmax(1).node, x.logSoftmax(1).node], 2e-6, 1e-6);
  });
  for (const [R, C] of SHAPES.filter(([, c]) => c > 1)) {
    test(`layer norm [${R}, ${C}] with weight and bias`, () => {
      const x = tensor(rows(R, C), R, C);
      const w = torch.fromNumpy(rows(1, C));
      const b = torch.fromNumpy(rows(1, C));
      // x - mean cancels: the error is relative to the row's spread, not to each output.
      agrees([F.layerNorm(x, [C], { weight: w, bias: b }).node], 1e-4, 1e-4);
    });
    test(`cross entropy [${R}, ${C}]: the loss and its gradient`, () => {
      const x = tensor(rows(R, C), R, C).requiresGrad_();
      const y = torch.fromNumpy(labels(R, () => rng.int(0, C - 1)));
      const loss = F.crossEntropy(x, y);
      loss.backward();
      agrees([loss.node, x.grad!.node], 1e-5, 1e-9);
    });
  }
});

/** The C text of a kernel's function, without the prelude every source file starts with. */
const body = (source: string, name: string): string => source.slice(source.indexOf(`int ${name}(void`));
const count = (text: string, what: string): number => text.split(what).length - 1;

describe('kernels', () => {
  test('softmax is one kernel evaluating exp once per element and dividing once per row', () => {
    // Rows in parallel, and one long row cut into chunks in parallel (the split order).
    for (const [R, C] of [[64, 1000], [1, 40000]] as const) {
      const x = tensor(rows(R, C), R, C);
      const ks = plannedKernels([x.softmax(1).node]);
      expect(ks).toHaveLength(1);
      const c = body(ks[0]!.source, ks[0]!.function);
      expect(count(c, 'graft_expf(')).toBe(1);
      // The only division is the reciprocal of the row's sum.
      expect(count(c, ' / ')).toBe(1);
      expect(count(c, '(1.0f / ')).toBe(1);
    }
  });
  test('rows are pipelined: the max of the next row is taken in the pass computing this row\'s exp', () => {
    const x = tensor(rows(64, 1000), 64, 1000);
    const [k] = plannedKernels([x.softmax(1).node]);
    // Two passes over each row (exp with the next row's max, then the output), not three.
    expect(count(body(k!.source, k!.function), '#pragma omp simd')).toBe(2);
  });
  test('cross entropy and its gradient: one kernel reads the logits once and evaluates exp once per element', () => {
    const x = tensor(rows(64, 1000), 64, 1000).requiresGrad_();
    const y = torch.fromNumpy(labels(64, (i) => i % 1000));
    const loss = F.crossEntropy(x, y);
    loss.backward();
    // Whichever is asked for first (a training step realizes the gradient through the update, then the loss).
    for (const roots of [[x.grad!.node, loss.node], [loss.node, x.grad!.node]]) {
      const ks = plannedKernels(roots);
      // The labels' weights, the logits' kernel (max, the label's logit, the sum of exp, the gradient), the mean.
      expect(ks).toHaveLength(3);
      const reading = ks.filter((k) => k.shape.length === 3 && k.shape[0] === 64);
      expect(reading).toHaveLength(1);
      const exps = ks.reduce((n, k) => n + count(body(k.source, k.function), 'graft_expf('), 0);
      expect(exps).toBe(1);
    }
  });
  test('log-softmax and layer norm recompute their cheap per-element values instead of storing them', () => {
    const x = tensor(rows(64, 1000), 64, 1000);
    for (const t of [x.logSoftmax(1), F.layerNorm(x, [1000])]) {
      const [k] = plannedKernels([t.node]);
      const c = body(k!.source, k!.function);
      expect(count(c, 'kept')).toBe(0);
    }
  });
  test('the passes of row reductions vectorize, on one thread and on two (GCC 12 dropped them twice)', () => {
    // Twice GCC 12 kept only the scalar copy of a pipelined exp loop (it splits loops on tests of their
    // variable, and a `GCC unroll 1` chunk loop of one iteration did the same): 3-4x slower, same values.
    // The compiler's own report says so: a loop left with control flow was not if-converted and vectorized.
    const x = tensor(rows(4096, 256), 4096, 256).requiresGrad_();
    const y = torch.fromNumpy(labels(4096, (i) => i % 256));
    const loss = F.crossEntropy(x, y);
    loss.backward();
    const long = tensor(rows(1, 40000), 1, 40000); // the split order
    const roots = [[x.softmax(1).node], [x.logSoftmax(1).node], [x.grad!.node, loss.node], [F.layerNorm(x, [256]).node], [long.softmax(1).node]];
    const [cc, ...ccArgs] = compilerCommand();
    for (const threads of ['1', '2']) {
      const saved = process.env.GRAFT_NUM_THREADS;
      process.env.GRAFT_NUM_THREADS = threads;
      const dev = new CpuDevice('cpu');
      if (saved === undefined) delete process.env.GRAFT_NUM_THREADS;
      else process.env.GRAFT_NUM_THREADS = saved;
      for (const r of roots) {
        const plan = dev.program(r).program.plan;
        const source = renderFile(plan.functions.some((f) => f.gemm), plan.functions.map((f) => f.source));
        const run = spawnSync(cc!, [...ccArgs, ...DEFAULT_CFLAGS, '-fopt-info-vec', '-fopt-info-vec-missed', '-x', 'c', '-c', '-', '-o', '/dev/null'], {
          input: source,
          encoding: 'utf8',
        });
        expect(run.status).toBe(0);
        expect(run.stderr).toMatch(/loop vectorized/);
        expect(run.stderr).not.toMatch(/control flow in loop/);
      }
    }
  });
  test('results do not depend on the thread count (rows are handed out dynamically)', () => {
    const saved = process.env.GRAFT_NUM_THREADS;
    process.env.GRAFT_NUM_THREADS = '1';
    const one = new CpuDevice('cpu');
    process.env.GRAFT_NUM_THREADS = '2';
    const two = new CpuDevice('cpu');
    if (saved === undefined) delete process.env.GRAFT_NUM_THREADS;
    else process.env.GRAFT_NUM_THREADS = saved;
    // Rows are cut into chunks by the thread count: each chunk starts its pipeline at another row.
    const x = tensor(rows(512, 1000), 512, 1000);
    const y = torch.fromNumpy(labels(512, () => rng.int(0, 999)));
    const nodes = [x.softmax(1).node, x.logSoftmax(1).node, F.layerNorm(x, [1000]).node, F.crossEntropy(x, y, { reduction: 'none' }).node];
    const a = one.execute(nodes);
    const b = two.execute(nodes);
    nodes.forEach((_, i) => expect(Array.from(a[i]!.host as Float32Array)).toEqual(Array.from(b[i]!.host as Float32Array)));
  });
});
