import { ValueError } from '../ir/index.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';
import { pow, zerosLike, type Tensor } from '../tensor/index.js';
import { z } from 'zod';
import { bool, defineOptions, real } from '../tensor/options.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

/**
 * Adam (Kingma & Ba) as PyTorch computes it; with `decoupled` (AdamW) the weight decay multiplies the
 * parameter by (1 - lr * weightDecay) instead of being added to the gradient.
 */
function adamOptions(name: string, weightDecay: number) {
  return defineOptions(name, {
    lr: real.default(1e-3),
    betas: z.tuple([real, real]).default([0.9, 0.999]),
    eps: real.default(1e-8),
    weightDecay: real.default(weightDecay),
    amsgrad: bool.default(false),
    maximize: bool.default(false),
  });
}
const ADAM_OPTIONS = adamOptions('Adam', 0);
const ADAMW_OPTIONS = adamOptions('AdamW', 0.01);

export class Adam extends Optimizer {
  protected decoupled = false;

  constructor(params: ParamsArg, opts?: AdamOptions) {
    // AdamW is Adam with its own name and default weight decay.
    const spec = new.target === AdamW ? ADAMW_OPTIONS : ADAM_OPTIONS;
    const o = spec.parse(opts);
    if (o.lr < 0) throw new ValueError(`Invalid learning rate: ${o.lr}`);
    if (o.eps < 0) throw new ValueError(`Invalid epsilon value: ${o.eps}`);
    if (!(o.betas[0] >= 0 && o.betas[0] < 1)) throw new ValueError(`Invalid beta parameter at index 0: ${o.betas[0]}`);
    if (!(o.betas[1] >= 0 && o.betas[1] < 1)) throw new ValueError(`Invalid beta parameter at index 1: ${o.betas[1]}`);
    if (o.weightDecay < 0) throw new ValueError(`Invalid weight_decay value: ${o.weightDecay}`);
    super(params, o, spec);
  }

  protected override initState(g: ParamGroup, p: Tensor): void {
    const st = this.stateOf(p);
    this.stateScalar(p, 'step');
    st.expAvg ??= zerosLike(p);
    st.expAvgSq ??= zerosLike(p);
    if (g.amsgrad) st.maxExpAvgSq ??= zerosLike(p);
  }

  protected updateGroup(g: ParamGroup): void {
    const [, beta2] = g.betas as [number, number];
    const eps = g.eps as number;
    const wd = g.weightDecay as number;
    const lr = this.hyper(g, 'lr');
    // beta1 as a tensor too: OneCycleLR cycles it every step.
    const beta1 = this.hyper(g, 'betas.0');
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      // State is made once and then updated in place (as PyTorch does): the same tensors at every step, and
      // the step count is a tensor, so step 1 and step 1000 are one program.
      this.initState(g, p);
      const st = this.stateOf(p);
      const step = st.step as Tensor;
      step.add_(1);
      if (wd !== 0) {
        // 1 - lr * wd, in float64 as JS would compute it, then rounded once to p's dtype
        if (this.decoupled) p.mul_(lr.mul(-wd).add(1).to(p.dtype));
        else grad = grad.add(p, { alpha: wd });
      }
      const m = st.expAvg as Tensor;
      const v = st.expAvgSq as Tensor;
      m.mul_(beta1.to(p.dtype)).add_(grad.mul(beta1.neg().add(1).to(p.dtype)));
      v.mul_(beta2).add_(grad.mul(grad), { alpha: 1 - beta2 });
      // Bias corrections 1 - beta^step in float64 (from the step tensor), rounded once, as before in JS.
      const bc1 = pow(beta1, step).neg().add(1);
      const bc2 = pow(beta2, step).neg().add(1);
      let vhat = v;
      if (g.amsgrad) {
        const max = st.maxExpAvgSq as Tensor;
        max.copy_(max.maximum(v));
        vhat = max;
      }
      const denom = vhat.sqrt().div(bc2.sqrt().to(p.dtype)).add(eps);
      p.sub_(m.div(denom).mul(lr.div(bc1).to(p.dtype)));
    }
  }
}

/** AdamW: Adam with decoupled weight decay (default 0.01, as PyTorch). */
export class AdamW extends Adam {
  constructor(params: ParamsArg, opts?: AdamOptions) {
    super(params, opts);
    this.decoupled = true;
  }
}
