/**
 * Every VJP rule against central finite differences in float64 on the interpreter, over random shapes
 * (with broadcasting where the op is elementwise).
 */
import { describe, expect, it } from 'vitest';
import { vjp, VJP_RULES } from '../../src/compiler/autodiff/index.js';
import { build, OP_NAMES, type Node, type Op, type Shape } from '../../src/ir/index.js';
import { awayFromZero, checkGrad, evalF64, input, rng, uniform, type Input } from './autodiff-helpers.js';

const r = rng(1234);
const SHAPES: Shape[] = [[], [5], [2, 3], [3, 1, 2]];
/** Pairs of shapes that broadcast against each other. */
const BROADCAST_PAIRS: [Shape, Shape][] = [
  [[4], [4]],
  [[2, 3], [2, 3]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [4]],
  [[], [2, 2]],
];

/** The shape two operand shapes broadcast to (they are valid pairs). */
function bshape(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[i - (n - a.length)] ?? 1;
    const y = b[i - (n - b.length)] ?? 1;
    return Math.max(x, y);
  });
}

const unaryCases: Partial<Record<Op, () => number>> = {
  neg: uniform(r, -2, 2),
  abs: awayFromZero(r),
  sign: awayFromZero(r),
  exp: uniform(r, -2, 2),
  log: uniform(r, 0.2, 3),
  sin: uniform(r, -3, 3),
  cos: uniform(r, -3, 3),
  tanh: uniform(r, -2, 2),
  erf: uniform(r, -2, 2),
  sqrt: uniform(r, 0.2, 3),
  recip: awayFromZero(r),
  // piecewise constant: keep clear of the jumps (integers, and .5 for round)
  floor: () => Math.floor(uniform(r, -4, 4)()) + 0.1 + 0.3 * r(),
  ceil: () => Math.floor(uniform(r, -4, 4)()) + 0.1 + 0.3 * r(),
  round: () => Math.floor(uniform(r, -4, 4)()) + 0.1 + 0.3 * r(),
  trunc: () => Math.floor(uniform(r, -4, 4)()) + 0.1 + 0.3 * r(),
};

const binaryCases: Partial<Record<Op, [() => number, () => number]>> = {
  add: [uniform(r, -2, 2), uniform(r, -2, 2)],
  sub: [uniform(r, -2, 2), uniform(r, -2, 2)],
  mul: [uniform(r, -2, 2), uniform(r, -2, 2)],
  div: [uniform(r, -2, 2), awayFromZero(r, 0.5, 2)],
  pow: [uniform(r, 0.3, 2), uniform(r, -2, 2)],
  // distinct values: ties are checked separately
  max: [() => Math.floor(r() * 1000) / 10, () => Math.floor(r() * 1000) / 10 + 0.05],
  min: [() => Math.floor(r() * 1000) / 10, () => Math.floor(r() * 1000) / 10 + 0.05],
  // keep a/b clear of integers (the jumps of floor division)
  idiv: [() => Math.floor(r() * 6) * 0.7 + 0.2, () => 0.7],
  mod: [() => Math.floor(r() * 6) * 0.7 + 0.2, () => 0.7],
};

/** Ops tested for "no gradient" rather than by finite differences. */
const NO_GRAD: Op[] = ['const', 'buffer', 'iota', 'rand', 'not', 'and', 'or', 'xor', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'detach', 'argsort'];
/** Ops checked by finite differences below outside the unary/binary tables. */
const OTHER_FD: Op[] = ['cast', 'where', 'reduce', 'cumsum', 'reshape', 'permute', 'expand', 'pad', 'slice', 'flip', 'unfold', 'gather', 'scatterAdd', 'contiguous', 'assign'];

describe('the VJP table', () => {
  it('has a rule for every op of the op table, and nothing else', () => {
    expect(Object.keys(VJP_RULES).sort()).toEqual([...OP_NAMES].sort());
  });
  it('every op is covered by a finite-difference test or a no-gradient test here', () => {
    const covered = new Set<string>([...Object.keys(unaryCases), ...Object.keys(binaryCases), ...NO_GRAD, ...OTHER_FD]);
    expect(OP_NAMES.filter((op) => !covered.has(op))).toEqual([]);
  });
});

describe('unary rules vs finite differences', () => {
  for (const [op, gen] of Object.entries(unaryCases) as [Op, () => number][]) {
    it(op, () => {
      for (const shape of SHAPES) {
        const x = input(shape, gen);
        checkGrad(([a]) => build.unary(op as never, a!), [x]);
      }
    });
  }
});

describe('binary rules vs finite differences (with broadcasting)', () => {
  for (const [op, [ga, gb]] of Object.entries(binaryCases) as [Op, [() => number, () => number]][]) {
    it(op, () => {
      for (const [sa, sb] of BROADCAST_PAIRS) {
        const a = input(sa, ga);
        const b = input(sb, gb);
        const shape = bshape(sa, sb);
        checkGrad(([x, y]) => build.binary(op as never, build.broadcastTo(x!, shape), build.broadcastTo(y!, shape)), [a, b]);
      }
    });
  }
});

describe('other rules vs finite differences', () => {
  it('cast float32 <-> float64 carries the gradient in the input dtype', () => {
    const x = input([2, 3], uniform(r, -1, 1));
    checkGrad(([a]) => build.unary('exp', build.cast(build.cast(a!, 'float32'), 'float64')), [x]);
    const y = input([4], uniform(r, -1, 1), 'float32');
    checkGrad(([a]) => build.cast(build.unary('sin', a!), 'float64'), [y], { rtol: 1e-4 });
  });
  it('where: the condition gets nothing, each branch its masked part', () => {
    const c = input([3, 4], () => (r() < 0.5 ? 1 : 0), 'bool');
    const a = input([3, 4], uniform(r, -1, 1));
    const b = input([4], uniform(r, -1, 1));
    checkGrad(([cc, x, y]) => build.where(cc!, x!, build.broadcastTo(y!, [3, 4])), [c, a, b]);
  });
  it('reduce sum over various axes', () => {
    const x = input([2, 3, 4], uniform(r, -1, 1));
    for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2]]) checkGrad(([a]) => build.reduce(a!, 'sum', axes), [x]);
  });
  it('reduce max and min (distinct values)', () => {
    const vals = Array.from({ length: 24 }, (_, i) => i * 0.37 - 4).sort(() => r() - 0.5);
    const x = input([2, 3, 4], (i) => vals[i]!);
    for (const op of ['max', 'min'] as const) {
      for (const axes of [[0], [1], [2], [1, 2], [0, 1, 2]]) checkGrad(([a]) => build.reduce(a!, op, axes), [x]);
    }
  });
  it('reduce prod, including groups with one and two zeros', () => {
    const x = input([3, 4], uniform(r, -1.5, 1.5));
    for (const axes of [[0], [1], [0, 1]]) checkGrad(([a]) => build.reduce(a!, 'prod', axes), [x]);
    const z = input([3, 4], (i) => [0, 0.5, 1.5, -2, 1.1, 0, 0, 0.7, 0.3, 0.9, -1.2, 2][i]!);
    for (const axes of [[0], [1], [0, 1]]) checkGrad(([a]) => build.reduce(a!, 'prod', axes), [z]);
  });
  it('cumsum along each axis', () => {
    const x = input([3, 4], uniform(r, -1, 1));
    checkGrad(([a]) => build.cumsum(a!, 0), [x]);
    checkGrad(([a]) => build.cumsum(a!, 1), [x]);
  });
  it('reshape, permute, expand, flip, contiguous', () => {
    const x = input([2, 3, 4], uniform(r, -1, 1));
    checkGrad(([a]) => build.reshape(a!, [6, 4]), [x]);
    checkGrad(([a]) => build.permute(a!, [2, 0, 1]), [x]);
    checkGrad(([a]) => build.flip(a!, [0, 2]), [x]);
    checkGrad(([a]) => build.contiguous(build.permute(a!, [1, 0, 2])), [x]);
    const y = input([3, 1], uniform(r, -1, 1));
    checkGrad(([a]) => build.expand(a!, [3, 5]), [y]);
    checkGrad(([a]) => build.expand(build.reshape(a!, [1, 3, 1]), [2, 3, 4]), [y]);
  });
  it('unfold: overlapping, disjoint and gapped windows, on each axis', () => {
    const x = input([3, 7], uniform(r, -1, 1));
    checkGrad(([a]) => build.unfold(a!, 1, 3, 1), [x]); // overlapping
    checkGrad(([a]) => build.unfold(a!, 1, 3, 2), [x]); // overlap of one
    checkGrad(([a]) => build.unfold(a!, 1, 2, 3), [x]); // gaps: position 2, 5 unused
    checkGrad(([a]) => build.unfold(a!, 0, 2, 1), [x]);
    // windows of windows (2-D pooling shape)
    checkGrad(([a]) => build.unfold(build.unfold(a!, 0, 2, 1), 1, 3, 2), [x]);
  });
  it('pad (the pad value gets no gradient)', () => {
    const x = input([2, 3], uniform(r, -1, 1));
    checkGrad(([a]) => build.pad(a!, [[1, 0], [2, 3]], 5), [x]);
  });
  it('slice, with steps and offsets', () => {
    const x = input([7, 6], uniform(r, -1, 1));
    checkGrad(([a]) => build.slice(a!, [1, 0], [3, 6]), [x]);
    checkGrad(([a]) => build.slice(a!, [0, 1], [4, 2], [2, 3]), [x]);
    checkGrad(([a]) => build.slice(a!, [2, 5], [2, 1], [3, 1]), [x]);
    checkGrad(([a]) => build.slice(a!, [6, 0], [1, 3], [1, 2]), [x]);
    // the last step reaches past the end of the axis
    checkGrad(([a]) => build.slice(a!, [1, 1], [2, 2], [3, 4]), [x]);
  });
  it('gather (repeated indices accumulate)', () => {
    const x = input([3, 4], uniform(r, -1, 1));
    const idx = input([3, 5], () => Math.floor(r() * 4), 'int32');
    checkGrad(([a, i]) => build.gather(a!, i!, 1), [x, idx]);
    const idx0 = input([2, 4], () => Math.floor(r() * 3), 'int32');
    checkGrad(([a, i]) => build.gather(a!, i!, 0), [x, idx0]);
  });
  it('scatterAdd: base and values', () => {
    const base = input([3, 4], uniform(r, -1, 1));
    const idx = input([3, 6], () => Math.floor(r() * 4), 'int32');
    const vals = input([3, 6], uniform(r, -1, 1));
    checkGrad(([b, i, v]) => build.scatterAdd(b!, i!, v!, 1), [base, idx, vals]);
  });
  it('assign: the value gets the gradient, the target none', () => {
    const target = input([2, 2], () => 0);
    const x = input([2, 2], uniform(r, -1, 1));
    checkGrad(([t, a]) => build.assign(t!, build.unary('exp', a!)), [target, x], { wrt: [1] });
    const [gt] = vjp([build.assign(target.node, x.node)], [x.node], [target.node]);
    expect(gt).toBeNull();
  });
});

describe('composite patterns', () => {
  it('matmul as expand + mul + reduce(sum)', () => {
    const a = input([2, 3], uniform(r, -1, 1));
    const b = input([3, 4], uniform(r, -1, 1));
    const matmul = ([x, y]: Node[]): Node => {
      const xe = build.expand(build.reshape(x!, [2, 3, 1]), [2, 3, 4]);
      const ye = build.expand(build.reshape(y!, [1, 3, 4]), [2, 3, 4]);
      return build.reshape(build.reduce(build.binary('mul', xe, ye), 'sum', [1]), [2, 4]);
    };
    checkGrad(matmul, [a, b]);
    // and against the closed form: dA = G B^T, dB = A^T G
    const g = input([2, 4], uniform(r, -1, 1));
    const [da, db] = vjp([matmul([a.node, b.node])], [g.node], [a.node, b.node]);
    const [va, vb] = evalF64([da!, db!]);
    const A = a.host, B = b.host, G = g.host;
    for (let i = 0; i < 2; i++) for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += G[i * 4 + j]! * B[k * 4 + j]!;
      expect(va![i * 3 + k]).toBeCloseTo(s, 12);
    }
    for (let k = 0; k < 3; k++) for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let i = 0; i < 2; i++) s += A[i * 3 + k]! * G[i * 4 + j]!;
      expect(vb![k * 4 + j]).toBeCloseTo(s, 12);
    }
  });
  it('cat as pad + add: each part gets its slice of the gradient', () => {
    const a = input([2, 3], uniform(r, -1, 1));
    const b = input([2, 2], uniform(r, -1, 1));
    const cat = ([x, y]: Node[]): Node => build.binary('add', build.pad(x!, [[0, 0], [0, 2]]), build.pad(y!, [[0, 0], [3, 0]]));
    checkGrad(cat, [a, b]);
    const g = input([2, 5], (i) => i);
    const [ga, gb] = evalF64(vjp([cat([a.node, b.node])], [g.node], [a.node, b.node]) as Node[]);
    expect([...ga!]).toEqual([0, 1, 2, 5, 6, 7]);
    expect([...gb!]).toEqual([3, 4, 8, 9]);
  });
  it('views of views: slice of a permuted, flipped, reshaped tensor', () => {
    const x = input([4, 6], uniform(r, -1, 1));
    checkGrad(([a]) => build.slice(build.flip(build.permute(build.reshape(a!, [2, 12]), [1, 0]), [0]), [1, 0], [5, 2], [2, 1]), [x]);
  });
  it('softmax-like composite with fan-out', () => {
    const x = input([3, 4], uniform(r, -2, 2));
    checkGrad(([a]) => {
      const m = build.expand(build.reduce(a!, 'max', [1]), [3, 4]);
      const e = build.unary('exp', build.binary('sub', a!, m));
      return build.binary('div', e, build.expand(build.reduce(e, 'sum', [1]), [3, 4]));
    }, [x]);
  });
});

describe('conventions at ties and singular points', () => {
  const one = (shape: Shape, vals: number[]): Input => input(shape, (i) => vals[i]!);
  it('reduce max/min split the gradient evenly among ties (amax/amin convention)', () => {
    const x = one([2, 4], [1, 3, 3, 0, 5, 5, 5, -1]);
    const g = one([2, 1], [1, 6]);
    const [gx] = evalF64(vjp([build.reduce(x.node, 'max', [1])], [g.node], [x.node]) as Node[]);
    expect([...gx!]).toEqual([0, 0.5, 0.5, 0, 2, 2, 2, 0]);
    const y = one([4], [2, -1, -1, 4]);
    const [gy] = evalF64(vjp([build.reduce(y.node, 'min', [0])], [one([1], [1]).node], [y.node]) as Node[]);
    expect([...gy!]).toEqual([0, 0.5, 0.5, 0]);
  });
  it('binary max/min give each operand half the gradient where they are equal (maximum convention)', () => {
    const a = one([3], [1, 2, 3]);
    const b = one([3], [2, 2, 1]);
    const g = one([3], [10, 10, 10]);
    const [ga, gb] = evalF64(vjp([build.binary('max', a.node, b.node)], [g.node], [a.node, b.node]) as Node[]);
    expect([...ga!]).toEqual([0, 5, 10]);
    expect([...gb!]).toEqual([10, 5, 0]);
    const [ha, hb] = evalF64(vjp([build.binary('min', a.node, b.node)], [g.node], [a.node, b.node]) as Node[]);
    expect([...ha!]).toEqual([10, 5, 0]);
    expect([...hb!]).toEqual([0, 5, 10]);
  });
  it("pow at 0 follows PyTorch: 0 where the exponent is 0; d/dy is 0 where x == 0 and y >= 0, NaN for x < 0", () => {
    const x = one([5], [0, 0, 0, -1, 2]);
    const y = one([5], [2, 0, 0.5, 2, 0]);
    const g = one([5], [1, 1, 1, 1, 1]);
    const [gx, gy] = evalF64(vjp([build.binary('pow', x.node, y.node)], [g.node], [x.node, y.node]) as Node[]);
    expect([...gx!]).toEqual([0, 0, Infinity, -2, 0]);
    expect(gy![0]).toBe(0);
    expect(gy![1]).toBe(0);
    expect(gy![2]).toBe(0);
    expect(gy![3]).toBeNaN();
    expect(gy![4]).toBeCloseTo(Math.log(2), 15);
  });
  it('abs has gradient 0 at 0', () => {
    const x = one([3], [-2, 0, 3]);
    const [gx] = evalF64(vjp([build.unary('abs', x.node)], [one([3], [1, 1, 1]).node], [x.node]) as Node[]);
    expect([...gx!]).toEqual([-1, 0, 1]);
  });
});

describe('ops without gradient', () => {
  const x = input([3], uniform(r, -1, 1));
  const ct = (n: Node): Node => build.constant(1, n.dtype, n.shape);
  it('comparisons, logical ops, int/bool casts and detach give null', () => {
    for (const op of ['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const) {
      const out = build.cast(build.binary(op, x.node, build.unary('exp', x.node)), 'float64');
      expect(vjp([out], [ct(out)], [x.node])).toEqual([null]);
    }
    const b = build.binary('lt', x.node, build.constant(0, 'float64', [3]));
    for (const out of [
      build.cast(build.unary('not', b), 'float64'),
      build.cast(build.binary('xor', b, b), 'float64'),
      build.cast(build.binary('and', b, b), 'float64'),
      build.cast(build.binary('or', b, b), 'float64'),
      build.cast(build.cast(x.node, 'int32'), 'float64'),
      build.unary('exp', build.detach(x.node)),
    ]) {
      expect(vjp([out], [ct(out)], [x.node])).toEqual([null]);
    }
  });
  it('sources have nothing below them; iota and rand are not differentiable inputs', () => {
    const seed = input([2], () => 3, 'int32');
    const u = build.rand(seed.node, 0, 'float64', [3]);
    const out = build.binary('add', build.binary('mul', x.node, u), build.cast(build.iota(3), 'float64'));
    const [gx, gs] = vjp([out], [ct(out)], [x.node, seed.node]);
    expect(gs).toBeNull();
    expect([...evalF64([gx!])[0]!]).toEqual([...evalF64([u])[0]!]);
  });
  it('floor, ceil, round, trunc, sign give a zero gradient (used, not null)', () => {
    for (const op of ['floor', 'ceil', 'round', 'trunc', 'sign'] as const) {
      const out = build.unary(op, x.node);
      const [g] = vjp([out], [ct(out)], [x.node]);
      expect(g).not.toBeNull();
      expect([...evalF64([g!])[0]!]).toEqual([0, 0, 0]);
    }
  });
});
