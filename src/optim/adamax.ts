import { z } from 'zod';
import { ValueError } from '../ir/index.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';
import { pow, zerosLike, type Tensor } from '../tensor/index.js';
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

  protected override initState(_g: ParamGroup, p: Tensor): void {
    const st = this.stateOf(p);
    this.stateScalar(p, 'step');
    st.expAvg ??= zerosLike(p);
    st.expInf ??= zerosLike(p);
  }

  protected updateGroup(g: ParamGroup): void {
    const [, beta2] = g.betas as [number, number];
    const eps = g.eps as number;
    const wd = g.weightDecay as number;
    const lr = this.hyper(g, 'lr');
    // beta1 as a tensor: OneCycleLR may cycle it every step.
    const beta1 = this.hyper(g, 'betas.0');
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      // State in place, the step count a tensor: the same program at every step (see Optimizer.hyper).
      this.initState(g, p);
      const st = this.stateOf(p);
      const step = st.step as Tensor;
      step.add_(1);
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      const b1 = beta1.to(p.dtype);
      const m = st.expAvg as Tensor;
      m.mul_(b1).add_(grad.mul(beta1.neg().add(1).to(p.dtype)));
      const u = st.expInf as Tensor;
      u.copy_(u.mul(beta2).maximum(grad.abs().add(eps)));
      // lr / (1 - beta1^step) in float64, as PyTorch's Python floats
      p.sub_(m.div(u).mul(lr.div(pow(beta1, step).neg().add(1)).to(p.dtype)));
    }
  }
}
