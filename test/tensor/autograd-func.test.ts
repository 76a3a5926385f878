/** torch.func: grad, valueAndGrad, vjp, their composition, and the backward program as printable IR. */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { sumAll } from './autograd-helpers.js';

const values = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);
const XS = [0.3, -1.2, 0.8, 1.7];
const f64 = (xs: number[]): torch.Tensor => torch.tensor(xs, { dtype: 'float64' });

describe('torch.func.grad', () => {
  it('gradient of a scalar function, as a lazy tensor whose IR prints', () => {
    const x = f64(XS);
    const g = torch.func.grad((t: torch.Tensor) => sumAll(t.sin().mul(t)))(x);
    expect(g).toBeInstanceOf(torch.Tensor);
    const text = torch.ir.print(g);
    expect(text).toMatch(/^\{ lambda /);
    expect(text).toContain('cos');
    expectClose(values(g), XS.map((v) => Math.cos(v) * v + Math.sin(v)), { rtol: 1e-12 });
    expect(g.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
  });
  it('argnums picks the arguments; an array gives an array', () => {
    const x = f64([1, 2]);
    const y = f64([3, 5]);
    const f = (a: torch.Tensor, b: torch.Tensor): torch.Tensor => sumAll(a.mul(a).mul(b));
    expect(values(torch.func.grad(f, { argnums: 1 })(x, y))).toEqual([1, 4]);
    const [gx, gy] = torch.func.grad(f, { argnums: [0, 1] })(x, y);
    expect(values(gx!)).toEqual([6, 20]);
    expect(values(gy!)).toEqual([1, 4]);
  });
  it('differentiates with respect to the argument even when equal nodes appear elsewhere (hash-consing)', () => {
    // ones(3) is the same IR constant as the argument: the placeholder keeps them apart.
    const g = torch.func.grad((t: torch.Tensor) => sumAll(t.mul(torch.ones(3)).add(torch.ones(3))))(torch.ones(3));
    expect(values(g)).toEqual([1, 1, 1]);
  });
  it('a function that ignores its argument has a zero gradient', () => {
    expect(values(torch.func.grad((_t: torch.Tensor) => sumAll(torch.ones(2)).mul(1.5))(torch.ones(3)))).toEqual([0, 0, 0]);
  });
  it('detach and noGrad inside f stop the gradient', () => {
    const x = f64([1, 2]);
    expect(values(torch.func.grad((t: torch.Tensor) => sumAll(t.mul(t.detach())))(x))).toEqual([1, 2]);
    expect(values(torch.func.grad((t: torch.Tensor) => sumAll(t.mul(torch.noGrad(() => t.mul(2)))))(x))).toEqual([2, 4]);
    // and noGrad outside does not stop func.grad
    expect(values(torch.noGrad(() => torch.func.grad((t: torch.Tensor) => sumAll(t.mul(t)))(x)))).toEqual([2, 4]);
  });
  it('hasAux passes the auxiliary value through', () => {
    const x = f64([1, 2]);
    const [g, aux] = torch.func.grad((t: torch.Tensor) => [sumAll(t.mul(t)), t.mul(10)] as const, { hasAux: true })(x);
    expect(values(g as torch.Tensor)).toEqual([2, 4]);
    expect(values(aux as torch.Tensor)).toEqual([10, 20]);
  });
  it('errors: non-scalar output, bad argnums, integer argument', () => {
    expect(() => torch.func.grad((t: torch.Tensor) => t.mul(2))(f64([1, 2]))).toThrow(
      'Expected f(*args) to return a scalar Tensor, got tensor with 1 dims',
    );
    expect(() => torch.func.grad((t: torch.Tensor) => sumAll(t), { argnums: 2 })(f64([1]))).toThrow('Got argnums=2, but only 1 positional inputs');
    expect(() => torch.func.grad((t: torch.Tensor) => sumAll(t))(torch.tensor([1n, 2n]))).toThrow('only Tensors of floating point dtype can require gradients');
  });
});

describe('composition: grad of grad', () => {
  const cases: [string, (t: torch.Tensor) => torch.Tensor, (v: number) => number, number[]][] = [
    ['x^3', (t) => t.pow(3), (v) => 6 * v, XS],
    ['exp', (t) => t.exp(), Math.exp, XS],
    ['log', (t) => t.log(), (v) => -1 / (v * v), [0.4, 1.3, 2.5]],
    ['sin', (t) => t.sin(), (v) => -Math.sin(v), XS],
    ['cos', (t) => t.cos(), (v) => -Math.cos(v), XS],
    ['tanh', (t) => t.tanh(), (v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2), XS],
    ['sqrt', (t) => t.sqrt(), (v) => -0.25 * v ** -1.5, [0.4, 1.3, 2.5]],
    ['reciprocal', (t) => t.reciprocal(), (v) => 2 / v ** 3, XS],
    ['sigmoid', (t) => t.sigmoid(), (v) => {
      const s = 1 / (1 + Math.exp(-v));
      return s * (1 - s) * (1 - 2 * s);
    }, XS],
    ['x * sin(x)', (t) => t.mul(t.sin()), (v) => 2 * Math.cos(v) - v * Math.sin(v), XS],
    ['x / (1 + x^2)', (t) => t.div(t.mul(t).add(1)), (v) => (2 * v * (v * v - 3)) / (1 + v * v) ** 3, XS],
    ['erf', (t) => t.erf(), (v) => (-4 * v * Math.exp(-v * v)) / Math.sqrt(Math.PI), XS],
  ];
  for (const [name, f, d2, xs] of cases) {
    it(`${name}: elementwise second derivative through sum(grad(sum f))`, () => {
      const g = torch.func.grad((t: torch.Tensor) => sumAll(f(t)));
      const h = torch.func.grad((t: torch.Tensor) => sumAll(g(t)));
      expectClose(values(h(f64(xs))), xs.map(d2), { rtol: 1e-9, atol: 1e-12 });
    });
  }
  it('grad(grad(f)) on a 0-d input', () => {
    const f = (t: torch.Tensor): torch.Tensor => t.pow(3).mul(t.sin());
    const d2 = (v: number): number => 6 * v * Math.sin(v) + 6 * v * v * Math.cos(v) - v ** 3 * Math.sin(v);
    const x = torch.tensor(0.7, { dtype: 'float64' });
    expectClose(torch.func.grad(torch.func.grad(f))(x).item(), d2(0.7), { rtol: 1e-12 });
    // and the third derivative
    const d3 = torch.func.grad(torch.func.grad(torch.func.grad((t: torch.Tensor) => t.pow(4))))(x).item();
    expectClose(d3, 24 * 0.7, { rtol: 1e-12 });
  });
  it('grad results track arguments that require grad, so backward can take it from there', () => {
    const x = torch.tensor(XS, { dtype: 'float64', requiresGrad: true });
    const g = torch.func.grad((t: torch.Tensor) => sumAll(t.pow(3)))(x);
    expect(g.requiresGrad).toBe(true);
    sumAll(g).backward();
    expectClose(values(x.grad!), XS.map((v) => 6 * v), { rtol: 1e-12 });
  });
});

describe('valueAndGrad and vjp', () => {
  it('valueAndGrad returns the value and the gradient', () => {
    const [v, g] = torch.func.valueAndGrad((t: torch.Tensor) => sumAll(t.exp()))(f64([0, 1]));
    expectClose(v.item(), 1 + Math.E, { rtol: 1e-12 });
    expectClose(values(g), [1, Math.E], { rtol: 1e-12 });
  });
  it('vjp gives the output and a function of the cotangent', () => {
    const x = f64([0.5, 1]);
    const y = f64([2, 3]);
    const [out, vjpFn] = torch.func.vjp((a: torch.Tensor, b: torch.Tensor) => a.mul(b).exp(), x, y);
    expectClose(values(out), [Math.exp(1), Math.exp(3)], { rtol: 1e-12 });
    const [gx, gy] = vjpFn(f64([1, 10]));
    expectClose(values(gx!), [2 * Math.exp(1), 10 * 3 * Math.exp(3)], { rtol: 1e-12 });
    expectClose(values(gy!), [0.5 * Math.exp(1), 10 * 1 * Math.exp(3)], { rtol: 1e-12 });
    // callable again, and shape-checked
    expectClose(values(vjpFn(f64([1, 0]))[0]!), [2 * Math.exp(1), 0], { rtol: 1e-12 });
    expect(() => vjpFn(f64([1, 2, 3]))).toThrow(/Mismatch in shape/);
  });
});
