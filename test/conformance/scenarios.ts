/**
 * The autograd scenarios of scripts/conformance/cases/autograd.py, written with graft's API line for line.
 * Each takes leaves (requiresGrad as the fixture says) and returns what the Python scenario returns.
 */
import * as torch from '../../src/index.js';
import type { OpFn } from './ops.js';

type Tensor = torch.Tensor;
const one = (f: (x: Tensor, y: Tensor) => unknown): OpFn => (args) => f(args[0] as Tensor, args[1] as Tensor);
const F = torch.nn.functional;

export const SCENARIOS: Record<string, OpFn> = {
  retain_twice: one((x) => {
    const y = x.mul(x).sum();
    y.backward({ retainGraph: true });
    y.backward();
    return x.grad;
  }),
  backward_twice: one((x) => {
    const y = x.exp().mul(x).sum();
    y.backward();
    y.backward();
    return x.grad;
  }),
  accumulate_two_graphs: one((x) => {
    x.mul(2).sum().backward();
    x.pow(2).sum().backward();
    return x.grad;
  }),
  zero_then_backward: one((x) => {
    x.mul(3).sum().backward();
    x.grad!.zero_();
    x.mul(x).sum().backward();
    return x.grad;
  }),
  create_graph_backward: one((x) => {
    const y = x.pow(3).sum();
    const [g] = torch.autograd.grad(y, x, { createGraph: true });
    g!.sum().backward();
    return [g, x.grad];
  }),
  grad_of_grad: one((x) => {
    const [g] = torch.autograd.grad(x.tanh().sum(), x, { createGraph: true });
    const [h] = torch.autograd.grad(g!.sum(), x);
    return [g, h];
  }),
  third_order: one((x) => {
    const [g] = torch.autograd.grad(x.pow(4).sum(), x, { createGraph: true });
    const [h] = torch.autograd.grad(g!.sum(), x, { createGraph: true });
    const [k] = torch.autograd.grad(h!.sum(), x);
    return [g, h, k];
  }),
  backward_with_gradient: one((x, v) => {
    const y = x.mul(2).add(1);
    y.backward(v);
    return x.grad;
  }),
  nonscalar_backward: one((x) => x.mul(2).backward()),
  leaf_inplace: one((x) => x.add_(1)),
  flags: one((x, y) => {
    const a = x.mul(y);
    const b = torch.noGrad(() => x.mul(2));
    const c = x.detach();
    const d = x.gt(0);
    const e = a.sum();
    return torch.tensor([a.requiresGrad, a.isLeaf, b.requiresGrad, c.requiresGrad, c.isLeaf, d.requiresGrad, x.isLeaf, e.requiresGrad]);
  }),
  retain_grad_nonleaf: one((x) => {
    const y = x.mul(2);
    y.retainGrad();
    const z = y.mul(y).sum();
    z.backward();
    return [y.grad, x.grad];
  }),
  tutorial_exp: one((x) => {
    const y = x.pow(2).mul(torch.exp(x));
    y.backward(torch.ones(y.size() as number[]));
    return x.grad;
  }),
  tutorial_mean: one((x) => {
    const y = x.add(2);
    const z = y.mul(y).mul(3);
    const out = z.mean();
    out.backward();
    return [out, x.grad];
  }),
  detach_in_middle: one((x) => {
    x.mul(x.detach()).sum().backward();
    return x.grad;
  }),
  data_sigmoid: one((x) => {
    x.data.sigmoid_();
    return x;
  }),
  grad_of_view: one((x) => {
    x.index('1:3').sum().backward();
    return x.grad;
  }),
  shared_input: one((x) => {
    x.mul(x).mul(x).add(x.sin().mul(x)).sum().backward();
    return x.grad;
  }),
  leaf_view: one((b) => {
    const x = b.reshape(2, 3).detach().requiresGrad_();
    x.reshape(6).mul(torch.arange(6, { dtype: 'float32' })).sum().backward();
    x.t().matmul(torch.ones(2, 2)).sum().backward();
    return x.grad;
  }),
  inplace_nonleaf: one((x) => {
    const y = x.mul(2);
    y.mul_(3);
    y.indexPut_([0], y.index(1).mul(5));
    y.sum().backward();
    return [y, x.grad];
  }),
  grad_none_before: one((x) => torch.tensor([x.grad === null])),
  grad_unused: one((x, y) => torch.autograd.grad(x.mul(2).sum(), [x, y])),
  grad_int_input: one((x) => torch.autograd.grad(x.sum(), x)),

  // composites differentiated twice
  matmul_tanh: one((a, b) => torch.matmul(a, b).tanh()),
  where_mul: ([c, a, b]) => torch.where(c as Tensor, (a as Tensor).mul(b as Tensor), (a as Tensor).div(b as Tensor)),
  sigmoid_chain: one((x) => torch.sigmoid(x.mul(x)).log()),
  div_chain: one((a, b) => a.div(b).exp()),
  norm_dim: one((x) => torch.norm(x, { dim: 1 })),
  prod_dim: one((x) => torch.prod(x, 1)),
  cumsum_sq: one((x) => torch.cumsum(x.mul(x), 1)),
  gelu_tanh: one((x) => F.gelu(x, { approximate: 'tanh' })),
  mse_loss: one((a, b) => F.mseLoss(a, b)),
  cross_entropy: one((a, b) => F.crossEntropy(a, b)),
};
