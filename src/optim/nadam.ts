import { z } from 'zod';
import { ValueError } from '../ir/index.js';
import { Optimizer, scalarLike, type ParamGroup, type ParamsArg } from './optimizer.js';
import type { Tensor } from '../tensor/index.js';
import { defineOptions, real } from '../tensor/options.js';
import { checkBetas } from './checks.js';

export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
}

const NADAM_OPTIONS = defineOptions('NAdam', {
  lr: real.default(2e-3),
  betas: z.tuple([real, real]).default([0.9, 0.999]),
  eps: real.default(1e-8),
  weightDecay: real.default(0),
  momentumDecay: real.default(4e-3),
});

/**
 * NAdam (Adam with Nesterov momentum, Dozat) as PyTorch 1.13 computes it: the momentum schedule
 * mu_t = beta1 (1 - 0.5 * 0.96^(t * momentumDecay)) and its running product (`muProduct`, a number in the state).
 */
export class NAdam extends Optimizer {
  constructor(params: ParamsArg, opts?: NAdamOptions) {
    const o = NADAM_OPTIONS.parse(opts);
    if (!(o.lr >= 0)) throw new ValueError(`Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${o.eps}`);
    checkBetas(o.betas);
    if (!(o.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.momentumDecay >= 0)) throw new ValueError(`Invalid momentum_decay value: ${o.momentumDecay}`);
    super(params, o, NADAM_OPTIONS);
  }

  protected updateGroup(g: ParamGroup): void {
    const [beta1, beta2] = g.betas as [number, number];
    const wd = g.weightDecay as number;
    const md = g.momentumDecay as number;
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = p.grad;
      const st = this.stateOf(p);
      const step = ((st.step as number | undefined) ?? 0) + 1;
      st.step = step;
      const bc2 = 1 - Math.pow(beta2, step);
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      const mu = beta1 * (1 - 0.5 * Math.pow(0.96, step * md));
      const muNext = beta1 * (1 - 0.5 * Math.pow(0.96, (step + 1) * md));
      const muProduct = ((st.muProduct as number | undefined) ?? 1) * mu;
      st.muProduct = muProduct;
      // PyTorch 1.13 multiplies by mu once more here (later versions do not); its values are the ones kept.
      const muProductNext = muProduct * mu * muNext;
      const b1 = scalarLike(p, beta1);
      const m0 = st.expAvg as Tensor | undefined;
      const m = m0 ? m0.mul(b1).add(grad.mul(scalarLike(p, 1 - beta1))) : grad.mul(scalarLike(p, 1 - beta1));
      const v0 = st.expAvgSq as Tensor | undefined;
      const v = v0 ? v0.mul(beta2).add(grad.mul(grad), { alpha: 1 - beta2 }) : grad.mul(grad).mul(1 - beta2);
      st.expAvg = m;
      st.expAvgSq = v;
      const denom = v.div(scalarLike(p, bc2)).sqrt().add(g.eps as number);
      const c1 = scalarLike(p, (g.lr * (1 - mu)) / (1 - muProduct));
      const c2 = scalarLike(p, (g.lr * muNext) / (1 - muProductNext));
      p.sub_(grad.div(denom).mul(c1).add(m.div(denom).mul(c2)));
    }
  }
}
