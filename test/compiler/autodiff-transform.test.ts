/**
 * The transform as a whole: fan-out, pruning, detach, second order (grad of grad), and the backward
 * program as printable IR.
 */
import { describe, expect, it } from 'vitest';
import { substitute, vjp } from '../../src/compiler/autodiff/index.js';
import { build, printGraph, toposort, type Node, type Op } from '../../src/ir/index.js';
import { awayFromZero, checkGrad, evalF64, gradOf, input, rng, uniform } from './autodiff-helpers.js';

const r = rng(99);
const c = (v: number, like: Node): Node => build.constant(v, like.dtype, like.shape);

describe('vjp', () => {
  it('sums the gradients of a value used several times (fan-out)', () => {
    const x = input([4], uniform(r, -1, 1));
    // f = x*x + sin(x) * x: df = 2x + cos(x) x + sin(x)
    const f = build.binary('add', build.binary('mul', x.node, x.node), build.binary('mul', build.unary('sin', x.node), x.node));
    const [g] = vjp([f], [c(1, f)], [x.node]);
    const got = evalF64([g!])[0]!;
    x.host.forEach((v, i) => expect(got[i]).toBeCloseTo(2 * v + Math.cos(v) * v + Math.sin(v), 12));
  });
  it('takes several outputs with their cotangents', () => {
    const x = input([3], uniform(r, -1, 1));
    const y1 = build.unary('exp', x.node);
    const y2 = build.binary('mul', x.node, c(3, x.node));
    const [g] = vjp([y1, y2], [c(2, y1), c(1, y2)], [x.node]);
    const got = evalF64([g!])[0]!;
    x.host.forEach((v, i) => expect(got[i]).toBeCloseTo(2 * Math.exp(v) + 3, 12));
  });
  it('differentiates with respect to intermediate nodes too, and through them to earlier inputs', () => {
    const x = input([3], uniform(r, -1, 1));
    const y = build.unary('exp', x.node);
    const z = build.binary('mul', y, y);
    const [gx, gy] = vjp([z], [c(1, z)], [x.node, y]);
    const [vx, vy] = evalF64([gx!, gy!]);
    x.host.forEach((v, i) => {
      expect(vy![i]).toBeCloseTo(2 * Math.exp(v), 12);
      expect(vx![i]).toBeCloseTo(2 * Math.exp(2 * v), 12);
    });
  });
  it('prunes: no gradient work for parts that do not depend on the inputs', () => {
    const x = input([3], uniform(r, -1, 1));
    const z = input([3], uniform(r, -1, 1));
    const heavy = build.unary('exp', build.unary('tanh', z.node));
    const f = build.binary('add', build.binary('mul', x.node, heavy), build.unary('sin', z.node));
    const [g] = vjp([f], [c(1, f)], [x.node]);
    const ops = toposort([g!]).map((n) => n.op);
    // the gradient is just `heavy` (times a cotangent of ones, folded away): no cos (from sin), no tanh' terms
    expect(g).toBe(heavy);
    expect(ops).not.toContain('cos');
  });
  it('returns null for inputs the outputs do not depend on, and stops at detach', () => {
    const x = input([3], uniform(r, -1, 1));
    const y = input([3], uniform(r, -1, 1));
    const f = build.binary('mul', build.detach(x.node), y.node);
    const [gx, gy] = vjp([f], [c(1, f)], [x.node, y.node]);
    expect(gx).toBeNull();
    expect([...evalF64([gy!])[0]!]).toEqual([...x.host]);
    expect(vjp([y.node], [c(1, y.node)], [x.node])).toEqual([null]);
  });
  it('checks the cotangents match the outputs', () => {
    const x = input([3], uniform(r, -1, 1));
    expect(() => vjp([x.node], [build.constant(1, 'float64', [2])], [x.node])).toThrow(/cotangent 0 is float64\[2\] but output 0 is float64\[3\]/);
  });
  it('builds the backward program as IR that prints', () => {
    const x = input([3], uniform(r, 0.5, 1));
    const f = build.reduce(build.binary('mul', build.unary('exp', x.node), x.node), 'sum', [0]);
    const [g] = vjp([f], [c(1, f)], [x.node]);
    const text = printGraph([g!]);
    expect(text).toMatch(/^\{ lambda a:f64\[3\]\. let/);
    expect(text).toContain('exp a');
    expect(text).toContain('mul');
    expect(text).toContain('add');
  });
});

describe('second order: the vjp of a vjp', () => {
  // every elementwise op with a non-zero second derivative, on broadcast operands
  const unary: [Op, () => number][] = [
    ['neg', uniform(r, -2, 2)],
    ['abs', awayFromZero(r)],
    ['exp', uniform(r, -2, 2)],
    ['log', uniform(r, 0.3, 3)],
    ['sin', uniform(r, -3, 3)],
    ['cos', uniform(r, -3, 3)],
    ['tanh', uniform(r, -2, 2)],
    ['erf', uniform(r, -2, 2)],
    ['sqrt', uniform(r, 0.3, 3)],
    ['recip', awayFromZero(r, 0.5, 2)],
  ];
  for (const [op, gen] of unary) {
    it(op, () => {
      const x = input([2, 3], gen);
      const ct = input([2, 3], uniform(r, -1, 1));
      // f(x) = op(x) * x so that the second derivative is non-trivial for every op
      const f = ([a]: Node[]): Node => build.binary('mul', build.unary(op as never, a!), a!);
      checkGrad(gradOf(f, 0, ct), [x], { eps: 1e-5, rtol: 1e-5, atol: 1e-6 });
    });
  }
  const binary: [Op, () => number, () => number][] = [
    ['add', uniform(r, -2, 2), uniform(r, -2, 2)],
    ['sub', uniform(r, -2, 2), uniform(r, -2, 2)],
    ['mul', uniform(r, -2, 2), uniform(r, -2, 2)],
    ['div', uniform(r, -2, 2), awayFromZero(r, 0.5, 2)],
    ['pow', uniform(r, 0.4, 2), uniform(r, -2, 2)],
    ['max', () => Math.floor(r() * 100) / 10, () => Math.floor(r() * 100) / 10 + 0.05],
    ['min', () => Math.floor(r() * 100) / 10, () => Math.floor(r() * 100) / 10 + 0.05],
  ];
  for (const [op, ga, gb] of binary) {
    it(op, () => {
      const a = input([3, 1], ga);
      const b = input([1, 4], gb);
      const ct = input([3, 4], uniform(r, -1, 1));
      const f = ([x, y]: Node[]): Node => {
        const xe = build.expand(x!, [3, 4]);
        const ye = build.expand(y!, [3, 4]);
        return build.binary('mul', build.binary(op as never, xe, ye), build.binary('mul', xe, ye));
      };
      checkGrad(gradOf(f, 0, ct), [a, b], { eps: 1e-5 });
      checkGrad(gradOf(f, 1, ct), [a, b], { eps: 1e-5 });
    });
  }
  it('where and reductions (sum, max, prod) in second order', () => {
    const x = input([3, 4], (i) => [0.3, -1.2, 0.8, 1.7, -0.4, 0.9, 1.1, -2, 0.5, 0.25, -0.7, 1.3][i]!);
    const ct = input([3, 1], uniform(r, -1, 1));
    const f = ([a]: Node[]): Node => {
      const sq = build.binary('mul', a!, a!);
      const w = build.where(build.binary('gt', a!, c(0, a!)), build.unary('exp', a!), sq);
      return build.binary('add', build.reduce(build.binary('mul', w, a!), 'sum', [1]), build.binary('add', build.reduce(sq, 'max', [1]), build.reduce(w, 'prod', [1])));
    };
    checkGrad(gradOf(f, 0, ct), [x], { eps: 1e-5 });
  });
  it('third derivative of x^4 is 24x (the transform composes)', () => {
    const x = input([3], uniform(r, -2, 2));
    const one = input([3], () => 1);
    let g = (xs: Node[]): Node => build.binary('pow', xs[0]!, c(4, xs[0]!));
    for (let k = 0; k < 3; k++) g = gradOf(g, 0, one);
    const got = evalF64([g([x.node])])[0]!;
    x.host.forEach((v, i) => expect(got[i]).toBeCloseTo(24 * v, 10));
  });
});

describe('substitute', () => {
  it('rebuilds a graph with a node replaced, keeping untouched subgraphs as they are', () => {
    const x = input([3], uniform(r, -1, 1));
    const y = input([3], uniform(r, -1, 1));
    const z = input([3], uniform(r, -1, 1));
    const keep = build.unary('exp', z.node);
    const f = build.binary('add', build.unary('sin', x.node), keep);
    const [g] = substitute([f], new Map([[x.node, y.node]]));
    expect(g!.srcs[1]).toBe(keep);
    expect(g).toBe(build.binary('add', build.unary('sin', y.node), keep));
    expect(() => substitute([f], new Map([[x.node, build.constant(0, 'float64', [2])]]))).toThrow();
  });
});
