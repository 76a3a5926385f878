import { z } from 'zod';
import { ValueError } from '../ir/index.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';
import { pow, zerosLike, type Tensor } from '../tensor/index.js';
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

  protected override initState(_g: ParamGroup, p: Tensor): void {
    const st = this.stateOf(p);
    this.stateScalar(p, 'step');
    this.stateScalar(p, 'muProduct', 1);
    st.expAvg ??= zerosLike(p);
    st.expAvgSq ??= zerosLike(p);
  }

  protected updateGroup(g: ParamGroup): void {
    const [, beta2] = g.betas as [number, number];
    const wd = g.weightDecay as number;
    const md = g.momentumDecay as number;
    const lr = this.hyper(g, 'lr');
    // beta1 as a tensor: OneCycleLR may cycle it every step.
    const beta1 = this.hyper(g, 'betas.0');
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = p.grad;
      // State in place, the step count and mu product tensors: the same program at every step. The scalars
      // below are computed in float64 in the graph, in the order PyTorch computes them in Python floats.
      this.initState(g, p);
      const st = this.stateOf(p);
      const step = st.step as Tensor;
      step.add_(1);
      const bc2 = pow(beta2, step).neg().add(1);
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      const mu = beta1.mul(pow(0.96, step.mul(md)).mul(0.5).neg().add(1));
      const muNext = beta1.mul(pow(0.96, step.add(1).mul(md)).mul(0.5).neg().add(1));
      const muProduct = st.muProduct as Tensor;
      muProduct.mul_(mu);
      // PyTorch 1.13 multiplies by mu once more here (later versions do not); its values are the ones kept.
      const muProductNext = muProduct.mul(mu).mul(muNext);
      const m = st.expAvg as Tensor;
      m.mul_(beta1.to(p.dtype)).add_(grad.mul(beta1.neg().add(1).to(p.dtype)));
      const v = st.expAvgSq as Tensor;
      v.mul_(beta2).add_(grad.mul(grad), { alpha: 1 - beta2 });
      const denom = v.div(bc2.to(p.dtype)).sqrt().add(g.eps as number);
      const c1 = lr.mul(mu.neg().add(1)).div(muProduct.neg().add(1)).to(p.dtype);
      const c2 = lr.mul(muNext).div(muProductNext.neg().add(1)).to(p.dtype);
      p.sub_(grad.div(denom).mul(c1).add(m.div(denom).mul(c2)));
    }
  }
}
