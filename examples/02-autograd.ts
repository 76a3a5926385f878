/**
 * The autograd section of PyTorch's tutorial, in graft.
 *
 *   npx graft run examples/02-autograd.ts
 *
 * Nothing runs per op: every line below adds nodes to an IR graph, and backward() is a transform of that
 * graph. Values are computed when printed.
 */
import * as torch from 'graft';

const show = (label: string, value: unknown): void => console.log(label, JSON.stringify(value));

// --- Variable (the tutorial's legacy wrapper; today Variables are Tensors) ---------------------------------
{
  const x = new torch.autograd.Variable(torch.ones(2, 2), { requiresGrad: true });
  show('x =', x.tolist());
  const y = x.add(2);
  show('y = x + 2 =', y.tolist());
  console.log('y.creator:', y.creator?.name); // AddBackward0
  const z = y.mul(y).mul(3);
  show('z = y * y * 3 =', z.tolist());
  const out = z.mean();
  show('out = z.mean() =', out.item());
  out.backward();
  show('x.grad (d out / dx) =', x.grad!.tolist()); // 4.5 everywhere
}

// --- y = x**2 * exp(x) and backward with an explicit gradient ----------------------------------------------
{
  torch.manualSeed(0);
  const x = torch.randn(3, 4, { requiresGrad: true });
  const y = x.pow(2).mul(x.exp());
  y.backward(torch.ones(y.size()));
  show('x.grad =', x.grad!.tolist());
  const byHand = torch.noGrad(() => x.mul(2).mul(x.exp()).add(x.pow(2).mul(x.exp())));
  show('2*x*exp(x) + x**2*exp(x) =', byHand.tolist());
}

// --- requiresGrad propagates; gradients accumulate with retainGraph ----------------------------------------
{
  const x = torch.ones(1);
  const b = torch.rand(1, { requiresGrad: true });
  const w = torch.rand(1, { requiresGrad: true });
  const y = w.mul(x);
  const z = y.add(b);
  console.log('requiresGrad of x, b, w, y, z:', x.requiresGrad, b.requiresGrad, w.requiresGrad, y.requiresGrad, z.requiresGrad);
  console.log('z.gradFn:', z.gradFn?.name, '-> next:', z.gradFn?.nextFunctions.map(([f]) => f?.name ?? null));
  z.backward({ retainGraph: true });
  show('w.grad (= x) =', w.grad!.tolist());
  show('b.grad =', b.grad!.tolist());
  z.backward();
  show('w.grad after a second backward (accumulated) =', w.grad!.tolist());
  try {
    z.backward();
  } catch (e) {
    console.log('third backward:', (e as Error).message.slice(0, 68) + '...');
  }
}

// --- a vector-Jacobian product: y is not a scalar, so backward needs a gradient ------------------------------
{
  const x = new torch.autograd.Variable(torch.randn(3), { requiresGrad: true });
  let y = x.mul(2);
  // the tutorial's `while y.data.norm() < 1000` (norm computed in JS until reductions land)
  const norm = (t: torch.Tensor): number => Math.hypot(...(t.data.tolist() as number[]));
  while (norm(y) < 1000) y = y.mul(2);
  show('y =', y.tolist());
  const gradients = torch.tensor([0.1, 1.0, 0.0001], { dtype: 'float32' });
  y.backward(gradients);
  show('x.grad =', x.grad!.tolist());
}

// --- stopping gradients: noGrad, detach, .data --------------------------------------------------------------
{
  const x = torch.randn(3, { requiresGrad: true });
  console.log('x.requiresGrad:', x.requiresGrad, ' (x ** 2).requiresGrad:', x.pow(2).requiresGrad);
  console.log('under noGrad:', torch.noGrad(() => x.pow(2).requiresGrad));
  const d = x.detach();
  console.log('x.detach().requiresGrad:', d.requiresGrad);
  const a = torch.tensor([-1, 0, 2], { dtype: 'float32', requiresGrad: true });
  a.data.sigmoid_(); // changes a's values, unseen by autograd
  show('a after a.data.sigmoid_() =', a.tolist());
}

// --- higher order, and the backward program as IR -----------------------------------------------------------
{
  const f = (t: torch.Tensor): torch.Tensor => t.pow(3).mul(t.sin());
  const x = torch.tensor(0.7, { dtype: 'float64' });
  const d1 = torch.func.grad(f);
  const d2 = torch.func.grad(d1);
  const g = d1(x);
  // printed before it is computed: a computed node prints as an input (its value is known)
  console.log('the backward program of f:\n' + torch.ir.print(g));
  console.log("f'(0.7) =", g.item(), " f''(0.7) =", d2(x).item());
}
