import { z } from 'zod';
import { ValueError } from '../ir/index.js';
import { Optimizer, scalarLike, type ParamGroup, type ParamsArg } from './optimizer.js';
import type { Tensor } from '../tensor/index.js';
import { defineOptions, real } from '../tensor/options.js';
import { checkBetas } from './checks.js';

export interface RAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

const RADAM_OPTIONS = defineOptions('RAdam', {
  lr: real.default(1e-3),
  betas: z.tuple([real, real]).default([0.9, 0.999]),
  eps: real.default(1e-8),
  weightDecay: real.default(0),
});

/**
 * RAdam (rectified Adam, Liu et al.) as PyTorch 1.13 computes it. While the variance is intractable
 * (rho_t <= 5) the step is the bias-corrected momentum alone. Both cases are one program: the adaptive term is
 * weighed by a buffer holding the rectification (0 while intractable), the plain term by a buffer holding 0 or 1.
 */
export class RAdam extends Optimizer {
  constructor(params: ParamsArg, opts?: RAdamOptions) {
    const o = RADAM_OPTIONS.parse(opts);
    if (!(o.lr >= 0)) throw new ValueError(`Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${o.eps}`);
    checkBetas(o.betas);
    if (!(o.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${o.weightDecay}`);
    super(params, o, RADAM_OPTIONS);
  }

  protected updateGroup(g: ParamGroup): void {
    const [beta1, beta2] = g.betas as [number, number];
    const wd = g.weightDecay as number;
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = p.grad;
      const st = this.stateOf(p);
      const step = ((st.step as number | undefined) ?? 0) + 1;
      st.step = step;
      const bc1 = 1 - Math.pow(beta1, step);
      const bc2 = 1 - Math.pow(beta2, step);
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      const b1 = scalarLike(p, beta1);
      const m0 = st.expAvg as Tensor | undefined;
      const m = m0 ? m0.mul(b1).add(grad.mul(scalarLike(p, 1 - beta1))) : grad.mul(scalarLike(p, 1 - beta1));
      const v0 = st.expAvgSq as Tensor | undefined;
      const v = v0 ? v0.mul(beta2).add(grad.mul(grad), { alpha: 1 - beta2 }) : grad.mul(grad).mul(1 - beta2);
      st.expAvg = m;
      st.expAvgSq = v;
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * Math.pow(beta2, step)) / bc2;
      const tractable = rhoT > 5;
      const rect = tractable ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      const corrected = m.mul(scalarLike(p, g.lr / bc1));
      const adaptive = v.sqrt().add(g.eps as number).reciprocal().mul(scalarLike(p, Math.sqrt(bc2) * rect));
      p.sub_(corrected.mul(adaptive.add(scalarLike(p, tractable ? 0 : 1))));
    }
  }
}
