/**
 * PyTorch's autograd surface: the tutorial line by line, gradFn names, backward's options and errors,
 * noGrad/detach/.data, retainGrad, requiresGrad_, Variable, torch.autograd.grad.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { makeView } from '../../src/tensor/tensor.js';
import { meanAll, sumAll } from './autograd-helpers.js';

const values = (t: torch.Tensor): number[] => Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number);
const SECOND =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
  'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True ' +
  'if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';

describe('the tutorial, line by line', () => {
  it('y = x**2 * exp(x); y.backward(ones(y.size())) gives 2x exp(x) + x^2 exp(x)', () => {
    torch.manualSeed(0);
    const x = torch.randn(3, 4, { requiresGrad: true });
    const y = x.pow(2).mul(x.exp());
    y.backward(torch.ones(y.size()));
    const xs = values(x);
    // independent truth: the derivative by hand, in JS doubles
    const expected = xs.map((v) => 2 * v * Math.exp(v) + v * v * Math.exp(v));
    expect(x.grad).not.toBeNull();
    expect(x.grad!.shape).toEqual([3, 4]);
    expectClose(values(x.grad!), expected, { rtol: 1e-5, atol: 1e-6 });
    // and equal to the same formula written with tensors
    const byHand = torch.noGrad(() => x.mul(2).mul(x.exp()).add(x.pow(2).mul(x.exp())));
    expectClose(values(x.grad!), values(byHand), { rtol: 1e-6 });
  });

  it('x = ones(1); b, w = rand(1, rg); y = w*x; z = y+b: flags, gradFn names, backward with retainGraph', () => {
    const x = torch.ones(1);
    const b = torch.rand(1, { requiresGrad: true });
    const w = torch.rand(1, { requiresGrad: true });
    const y = w.mul(x);
    const z = y.add(b);
    expect([x.requiresGrad, b.requiresGrad, w.requiresGrad, y.requiresGrad]).toEqual([false, true, true, true]);
    expect(z.requiresGrad).toBe(true);
    expect(z.gradFn!.name).toBe('AddBackward0');
    expect(y.gradFn!.name).toBe('MulBackward0');
    expect(z.gradFn!.nextFunctions[0]![0]).toBe(y.gradFn);
    expect(x.gradFn).toBeNull();
    expect(w.grad).toBeNull();
    z.backward({ retainGraph: true });
    expect(values(w.grad!)).toEqual(values(x));
    expect(values(b.grad!)).toEqual([1]);
    // retained: a second backward accumulates
    z.backward({ retainGraph: true });
    expect(values(w.grad!)).toEqual([2]);
    expect(values(b.grad!)).toEqual([2]);
  });

  it('x = Variable(ones(2, 2), rg); y = x + 2; z = y * y * 3; out = z.mean(); out.backward() gives 4.5', () => {
    const x = new torch.autograd.Variable(torch.ones(2, 2), { requiresGrad: true });
    const y = x.add(2);
    expect(y.creator).toBe(y.gradFn);
    expect(y.creator!.name).toBe('AddBackward0');
    const z = y.mul(y).mul(3);
    const out = z.mean();
    expect(out.gradFn!.name).toBe('MeanBackward0');
    expectClose(out.item(), 27);
    out.backward();
    expect(x.grad!.tolist()).toEqual([[4.5, 4.5], [4.5, 4.5]]);
  });
});

describe('gradFn', () => {
  it('names follow PyTorch and nextFunctions lead to the leaves', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const y = torch.tensor([4, 5, 6], { dtype: 'float32', requiresGrad: true });
    const m = x.mul(y);
    const e = x.exp();
    const z = m.add(e);
    expect(z.gradFn!.name).toBe('AddBackward0');
    expect(e.gradFn!.name).toBe('ExpBackward0');
    expect(x.pow(2).gradFn!.name).toBe('PowBackward0');
    expect(x.pow(y).gradFn!.name).toBe('PowBackward1');
    expect(x.div(y).gradFn!.name).toBe('DivBackward0');
    const [[mf], [ef]] = z.gradFn!.nextFunctions as unknown as [[torch.GradFn], [torch.GradFn]];
    expect(mf).toBe(m.gradFn);
    expect(ef).toBe(e.gradFn);
    const [[ax], [ay]] = m.gradFn!.nextFunctions as unknown as [[torch.AccumulateGrad], [torch.AccumulateGrad]];
    expect(ax.name).toBe('AccumulateGrad');
    expect(ax.variable).toBe(x);
    expect(ay.variable).toBe(y);
    expect(x.isLeaf && y.isLeaf).toBe(true);
    expect(z.isLeaf).toBe(false);
    // an input that does not require grad has no function
    expect(x.mul(torch.ones(3)).gradFn!.nextFunctions[1]![0]).toBeNull();
  });
});

describe('backward', () => {
  it('refuses an implicit gradient for a non-scalar output', () => {
    const x = torch.ones(3, { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(torch.AutogradError);
    expect(() => y.backward()).toThrow('grad can be implicitly created only for scalar outputs');
    expect(x.grad).toBeNull();
  });
  it('refuses outputs that do not require grad', () => {
    expect(() => torch.ones(1).backward()).toThrow('element 0 of tensors does not require grad and does not have a grad_fn');
  });
  it('checks the gradient shape', () => {
    const x = torch.ones(2, { requiresGrad: true });
    expect(() => x.mul(2).backward(torch.ones(3))).toThrow(
      'Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2]).',
    );
  });
  it('a second backward through a released graph throws PyTorch error; retainGraph keeps it', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(x);
    const z = sumAll(y.exp());
    z.backward();
    expect(() => z.backward()).toThrow(SECOND);
    // a graph sharing the released part is released too
    expect(() => sumAll(y).backward()).toThrow(SECOND);
    // the value is still readable after release
    expectClose(z.item(), Math.exp(1) + Math.exp(4), { rtol: 1e-6 });
    const w = sumAll(x.mul(3));
    w.backward({ retainGraph: true });
    w.backward({ retainGraph: true });
    w.backward();
    expect(() => w.backward()).toThrow(SECOND);
  });
  it('accumulates into .grad across backward calls; zero_() and = null reset it', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    sumAll(x.mul(x)).backward();
    expect(values(x.grad!)).toEqual([2, 4, 6]);
    const g = x.grad!;
    sumAll(x.mul(2)).backward();
    expect(values(x.grad!)).toEqual([4, 6, 8]);
    // accumulation is in place, as in PyTorch
    expect(x.grad).toBe(g);
    x.grad!.zero_();
    expect(values(x.grad!)).toEqual([0, 0, 0]);
    sumAll(x).backward();
    expect(values(x.grad!)).toEqual([1, 1, 1]);
    x.grad = null;
    sumAll(x.mul(5)).backward();
    expect(values(x.grad!)).toEqual([5, 5, 5]);
  });
  it('reads values realized before backward (the graph stays behind a tracked result)', () => {
    const x = torch.tensor([0.5, 1.5], { dtype: 'float32', requiresGrad: true });
    const y = x.sin();
    expectClose(y.tolist(), [Math.sin(0.5), Math.sin(1.5)], { rtol: 1e-6 });
    const z = sumAll(y.mul(y));
    expectClose(z.item(), Math.sin(0.5) ** 2 + Math.sin(1.5) ** 2, { rtol: 1e-6 });
    z.backward();
    expectClose(values(x.grad!), [0.5, 1.5].map((v) => 2 * Math.sin(v) * Math.cos(v)), { rtol: 1e-5 });
  });
  it('without createGraph the gradients are detached constants', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    sumAll(x.pow(3)).backward();
    const g = x.grad!;
    expect(g.requiresGrad).toBe(false);
    expect(g.gradFn).toBeNull();
    x.grad = null;
    // x * x.grad: the grad is a constant here, so d/dx = 3x^2 (not 3x^2 + 6x^2)
    sumAll(x.mul(g)).backward();
    expect(values(x.grad!)).toEqual([3, 12, 27]);
  });
  it('createGraph: gradients are tracked and can be differentiated again', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    sumAll(x.pow(3)).backward({ createGraph: true });
    const g = x.grad!;
    expect(values(g)).toEqual([3, 12, 27]);
    expect(g.requiresGrad).toBe(true);
    expect(g.gradFn).not.toBeNull();
    x.grad = null;
    sumAll(g).backward();
    expect(values(x.grad!)).toEqual([6, 12, 18]);
    // the gradient of a linear function is a constant: it does not require grad, as in PyTorch
    const w = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    sumAll(w.mul(4)).backward({ createGraph: true });
    expect(w.grad!.requiresGrad).toBe(false);
  });
  it('inputs: accumulates only into the given tensors', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const b = torch.tensor([3, 4], { dtype: 'float32', requiresGrad: true });
    sumAll(a.mul(b)).backward({ inputs: [a] });
    expect(values(a.grad!)).toEqual([3, 4]);
    expect(b.grad).toBeNull();
  });
  it('torch.autograd.backward with several outputs and gradients', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y1 = x.mul(2);
    const y2 = x.mul(x);
    torch.autograd.backward([y1, y2], [torch.ones(2), torch.tensor([10, 100], { dtype: 'float32' })]);
    expect(values(x.grad!)).toEqual([2 + 20, 2 + 400]);
  });
  it('retainGrad keeps a non-leaf gradient; others stay null', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(3);
    const h = y.add(1);
    y.retainGrad();
    expect(y.retainsGrad).toBe(true);
    sumAll(y.mul(y)).backward();
    expect(values(y.grad!)).toEqual([6, 12]);
    expect(values(x.grad!)).toEqual([18, 36]);
    expect(h.grad).toBeNull();
    expect(() => torch.ones(1).retainGrad()).toThrow("can't retain_grad on Tensor that has requires_grad=False");
  });
  it('leaves realized as the leaf used: an operand equal in value is a different node', () => {
    const x = torch.ones(3, { requiresGrad: true });
    const z = sumAll(x.mul(torch.ones(3)).add(torch.ones(3)));
    z.backward();
    expect(values(x.grad!)).toEqual([1, 1, 1]);
  });
});

describe('grad mode, detach, .data', () => {
  it('noGrad, enableGrad, setGradEnabled, isGradEnabled', () => {
    const x = torch.ones(2, { requiresGrad: true });
    expect(torch.isGradEnabled()).toBe(true);
    const y = torch.noGrad(() => {
      expect(torch.isGradEnabled()).toBe(false);
      const inner = torch.enableGrad(() => x.mul(2));
      expect(inner.requiresGrad).toBe(true);
      return x.mul(2);
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    torch.setGradEnabled(false);
    try {
      expect(x.exp().requiresGrad).toBe(false);
    } finally {
      torch.setGradEnabled(true);
    }
    expect(x.exp().requiresGrad).toBe(true);
  });
  it('a value computed under noGrad is a constant for backward', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const c = torch.noGrad(() => x.mul(x));
    sumAll(x.mul(c)).backward();
    expect(values(x.grad!)).toEqual([1, 4]);
  });
  it('detach shares storage and stops gradients', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    sumAll(d.mul(x)).backward();
    expect(values(x.grad!)).toEqual([1, 2]);
    torch.noGrad(() => x.add_(10));
    expect(values(d)).toEqual([11, 12]);
  });
  it('an in-place op on a leaf that requires grad throws and changes nothing', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    expect(() => x.add_(1)).toThrow(torch.AutogradError);
    expect(() => x.mul_(2)).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    expect(values(x)).toEqual([1, 2]);
    torch.noGrad(() => x.mul_(2));
    expect(values(x)).toEqual([2, 4]);
  });
  it('.data: same storage, not tracked; a.data.sigmoid_() changes a', () => {
    const a = torch.tensor([-1, 0, 2], { dtype: 'float32', requiresGrad: true });
    const before = values(a);
    const d = a.data;
    expect(d.requiresGrad).toBe(false);
    a.data.sigmoid_();
    expectClose(values(a), before.map((v) => 1 / (1 + Math.exp(-v))), { rtol: 1e-6 });
    expect(a.requiresGrad).toBe(true);
    expect(a.isLeaf).toBe(true);
    // and a is still a working leaf
    sumAll(a.mul(a)).backward();
    expectClose(values(a.grad!), values(a).map((v) => 2 * v), { rtol: 1e-6 });
    // assigning .data replaces the values (and may change the shape), keeping requiresGrad
    a.data = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
    expect(a.shape).toEqual([2, 2]);
    expect(a.requiresGrad).toBe(true);
    a.grad = null;
    sumAll(a.mul(3)).backward();
    expect(a.grad!.tolist()).toEqual([[3, 3], [3, 3]]);
  });
});

describe('requiresGrad_', () => {
  it('sets the flag on leaves, floats only', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32' });
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
    x.requiresGrad_(false);
    expect(x.requiresGrad).toBe(false);
    expect(() => torch.tensor([1n, 2n]).requiresGrad_()).toThrow('Only Tensors of floating point and complex dtype can require gradients');
    expect(() => torch.tensor([1n, 2n]).requiresGrad_()).toThrow(torch.DTypeError);
  });
  it('refuses to clear the flag of a non-leaf', () => {
    const y = torch.ones(2, { requiresGrad: true }).mul(2);
    expect(() => y.requiresGrad_(false)).toThrow('you can only change requires_grad flags of leaf variables.');
    expect(y.requiresGrad_(true)).toBe(y);
  });
});

describe('Variable', () => {
  it('is a tensor leaf sharing the wrapped tensor storage', () => {
    const t = torch.tensor([1, 2], { dtype: 'float32' });
    const v = new torch.autograd.Variable(t, { requiresGrad: true });
    expect(v).toBeInstanceOf(torch.Tensor);
    expect(t).toBeInstanceOf(torch.autograd.Variable);
    expect(v.requiresGrad && v.isLeaf).toBe(true);
    expect(t.requiresGrad).toBe(false);
    t.add_(1);
    expect(values(v)).toEqual([2, 3]);
    expect(() => v.add_(1)).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    sumAll(v.mul(v)).backward();
    expect(values(v.grad!)).toEqual([4, 6]);
    expect(t.grad).toBeNull();
  });
});

describe('torch.autograd.grad', () => {
  it('returns gradients without touching .grad', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = torch.tensor([3, 4], { dtype: 'float32', requiresGrad: true });
    const z = sumAll(x.mul(y).add(x.exp()));
    const [gx, gy] = torch.autograd.grad(z, [x, y]);
    expectClose(values(gx!), [3 + Math.E, 4 + Math.exp(2)], { rtol: 1e-6 });
    expect(values(gy!)).toEqual([1, 2]);
    expect(x.grad).toBeNull();
    expect(y.grad).toBeNull();
    expect(() => torch.autograd.grad(z, [x])).toThrow(SECOND);
  });
  it('with respect to a non-leaf', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const h = x.mul(2);
    const [gh] = torch.autograd.grad(sumAll(h.mul(h)), [h]);
    expect(values(gh!)).toEqual([4, 8]);
  });
  it('allowUnused, and the errors', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const u = torch.ones(2, { requiresGrad: true });
    const z = sumAll(x.mul(2));
    expect(() => torch.autograd.grad(z, [x, u], { retainGraph: true })).toThrow(
      'One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.',
    );
    const [gx, gu] = torch.autograd.grad(z, [x, u], { allowUnused: true, retainGraph: true });
    expect(values(gx!)).toEqual([2, 2]);
    expect(gu).toBeNull();
    expect(() => torch.autograd.grad(z, [torch.ones(2)])).toThrow('One of the differentiated Tensors does not require grad');
  });
  it('createGraph gives second derivatives: d2/dx2 of x^3 sin(x)', () => {
    const xs = [0.3, -1.1, 2];
    const x = torch.tensor(xs, { dtype: 'float64', requiresGrad: true });
    const y = sumAll(x.pow(3).mul(x.sin()));
    const [g] = torch.autograd.grad(y, [x], { createGraph: true });
    expect(g!.requiresGrad).toBe(true);
    const [h] = torch.autograd.grad(sumAll(g!), [x]);
    const d2 = (v: number): number => 6 * v * Math.sin(v) + 6 * v * v * Math.cos(v) - v ** 3 * Math.sin(v);
    expectClose(values(h!), xs.map(d2), { rtol: 1e-10 });
  });
});

describe('leaves as outputs', () => {
  it('a leaf differentiated with respect to itself gets the gradient as is; an equal constant elsewhere gets nothing', () => {
    const x = torch.ones(3, { requiresGrad: true });
    x.backward(torch.tensor([1, 2, 3], { dtype: 'float32' }));
    expect(values(x.grad!)).toEqual([1, 2, 3]);
    // ones(3) is the constant x was before it was realized: it must not be mistaken for x
    const y = torch.tensor([1, 1, 1], { dtype: 'float32', requiresGrad: true });
    sumAll(y.mul(torch.ones(3))).backward();
    expect(values(x.grad!)).toEqual([1, 2, 3]);
    expect(values(y.grad!)).toEqual([1, 1, 1]);
  });
});

describe('sharing a tracked result with JS', () => {
  it('y.detach() handed to JS (numpy) keeps y differentiable', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(x);
    const buf = y.detach()._share(); // what numpy() does
    expect(Array.from((buf.host!) as ArrayLike<number | bigint>, Number)).toEqual([1, 4]);
    sumAll(y).backward();
    expect(values(x.grad!)).toEqual([2, 4]);
  });
});

describe('views (built with the internal makeView until the movement ops land)', () => {
  const slice = (t: torch.Tensor, start: number[], size: number[], step: number[]): torch.Tensor =>
    makeView('SliceBackward0', t, [{ kind: 'slice', start, size, step }]);
  it('the gradient of a strided slice lands on the sliced positions', () => {
    const x = torch.arange(0, 8, { dtype: 'float32', requiresGrad: true });
    const s = slice(x, [1], [3], [2]); // x[1::2][:3] -> elements 1, 3, 5
    expect(s.gradFn!.name).toBe('SliceBackward0');
    sumAll(s.mul(s)).backward();
    expect(values(x.grad!)).toEqual([0, 2, 0, 6, 0, 10, 0, 0]);
  });
  it('an in-place op through a view of a non-leaf flows back (CopySlices)', () => {
    const x = torch.tensor([1, 2, 3, 4], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(1);
    slice(y, [0], [2], [1]).mul_(3);
    expect(values(y)).toEqual([3, 6, 3, 4]);
    expect(y.gradFn!.name).toBe('CopySlices');
    sumAll(y.mul(y)).backward();
    // y = [3x0, 3x1, x2, x3]: d sum(y^2)/dx = [18 x0, 18 x1, 2 x2, 2 x3]
    expect(values(x.grad!)).toEqual([18, 36, 6, 8]);
  });
  it('an in-place op on a view of a leaf that requires grad throws', () => {
    const x = torch.ones(4, { requiresGrad: true });
    expect(() => slice(x, [0], [2], [1]).mul_(3)).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
    expect(values(x)).toEqual([1, 1, 1, 1]);
  });
});
