import { z } from 'zod';
import { ValueError } from '../ir/index.js';
import { Optimizer, scalarLike, type ParamGroup, type ParamsArg } from './optimizer.js';
import type { Tensor } from '../tensor/index.js';
import { bool, defineOptions, real } from '../tensor/options.js';
import { checkBetas } from './checks.js';

export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

const ADAMAX_OPTIONS = defineOptions('Adamax', {
  lr: real.default(2e-3),
  betas: z.tuple([real, real]).default([0.9, 0.999]),
  eps: real.default(1e-8),
  weightDecay: real.default(0),
  maximize: bool.default(false),
});

/** Adamax (Adam with the infinity norm) as PyTorch 1.13 computes it. */
export class Adamax extends Optimizer {
  constructor(params: ParamsArg, opts?: AdamaxOptions) {
    const o = ADAMAX_OPTIONS.parse(opts);
    if (!(o.lr >= 0)) throw new ValueError(`Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${o.eps}`);
    checkBetas(o.betas);
    if (!(o.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${o.weightDecay}`);
    super(params, o, ADAMAX_OPTIONS);
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
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      // beta1 as a buffer: OneCycleLR may cycle it every step.
      const b1 = scalarLike(p, beta1);
      const m0 = st.expAvg as Tensor | undefined;
      const m = m0 ? m0.mul(b1).add(grad.mul(scalarLike(p, 1 - beta1))) : grad.mul(scalarLike(p, 1 - beta1));
      st.expAvg = m;
      const u0 = st.expInf as Tensor | undefined;
      const gAbs = grad.abs().add(eps);
      // exp_inf starts at zero: max(0 * beta2, |g| + eps) = |g| + eps.
      const u = u0 ? u0.mul(beta2).maximum(gAbs) : gAbs;
      st.expInf = u;
      p.sub_(m.div(u).mul(scalarLike(p, g.lr / (1 - Math.pow(beta1, step)))));
    }
  }
}
