import { ValueError } from '../ir/index.js';
import { Optimizer, scalarLike, type ParamGroup, type ParamsArg } from './optimizer.js';
import type { Tensor } from '../tensor/index.js';
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

  protected updateGroup(g: ParamGroup): void {
    const [beta1, beta2] = g.betas as [number, number];
    const eps = g.eps as number;
    const wd = g.weightDecay as number;
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      const st = this.stateOf(p);
      const step = ((st.step as number | undefined) ?? 0) + 1;
      st.step = step;
      if (wd !== 0) {
        if (this.decoupled) p.mul_(scalarLike(p, 1 - g.lr * wd));
        else grad = grad.add(p, { alpha: wd });
      }
      const m0 = st.expAvg as Tensor | undefined;
      const v0 = st.expAvgSq as Tensor | undefined;
      const m = m0 ? m0.mul(beta1).add(grad, { alpha: 1 - beta1 }) : grad.mul(1 - beta1);
      const v = v0 ? v0.mul(beta2).add(grad.mul(grad), { alpha: 1 - beta2 }) : grad.mul(grad).mul(1 - beta2);
      st.expAvg = m;
      st.expAvgSq = v;
      const bc1 = 1 - Math.pow(beta1, step);
      const bc2 = 1 - Math.pow(beta2, step);
      let vhat = v;
      if (g.amsgrad) {
        const prev = st.maxExpAvgSq as Tensor | undefined;
        vhat = prev ? prev.maximum(v) : v;
        st.maxExpAvgSq = vhat;
      }
      const denom = vhat.sqrt().div(scalarLike(p, Math.sqrt(bc2))).add(eps);
      p.sub_(m.div(denom).mul(scalarLike(p, g.lr / bc1)));
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
