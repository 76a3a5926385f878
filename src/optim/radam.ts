import { z } from 'zod';
import { ValueError } from '../ir/index.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';
import { pow, where as torchWhere, zerosLike, type Tensor } from '../tensor/index.js';
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

  protected override initState(_g: ParamGroup, p: Tensor): void {
    const st = this.stateOf(p);
    this.stateScalar(p, 'step');
    st.expAvg ??= zerosLike(p);
    st.expAvgSq ??= zerosLike(p);
  }

  protected updateGroup(g: ParamGroup): void {
    const [, beta2] = g.betas as [number, number];
    const wd = g.weightDecay as number;
    const lr = this.hyper(g, 'lr');
    // beta1 as a tensor: OneCycleLR may cycle it every step.
    const beta1 = this.hyper(g, 'betas.0');
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = p.grad;
      // State in place, the step count a tensor: the same program at every step. The scalars are computed in
      // float64 in the graph, in the order PyTorch computes them in Python floats.
      this.initState(g, p);
      const st = this.stateOf(p);
      const step = st.step as Tensor;
      step.add_(1);
      const bc1 = pow(beta1, step).neg().add(1);
      const b2t = pow(beta2, step);
      const bc2 = b2t.neg().add(1);
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      const m = st.expAvg as Tensor;
      m.mul_(beta1.to(p.dtype)).add_(grad.mul(beta1.neg().add(1).to(p.dtype)));
      const v = st.expAvgSq as Tensor;
      v.mul_(beta2).add_(grad.mul(grad), { alpha: 1 - beta2 });
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = step.mul(2).mul(b2t).div(bc2).neg().add(rhoInf);
      const tractable = rhoT.gt(5);
      // rect where tractable (the square root of a negative number elsewhere is not selected), else 0
      const rect = torchWhere(tractable, rhoT.sub(4).mul(rhoT.sub(2)).mul(rhoInf).div(rhoT.mul((rhoInf - 4) * (rhoInf - 2))).sqrt(), 0);
      const corrected = m.mul(lr.div(bc1).to(p.dtype));
      const adaptive = v.sqrt().add(g.eps as number).reciprocal().mul(bc2.sqrt().mul(rect).to(p.dtype));
      p.sub_(corrected.mul(adaptive.add(tractable.logicalNot().to(p.dtype))));
    }
  }
}
