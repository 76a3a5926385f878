import { ValueError } from '../ir/index.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';
import { zerosLike, type Tensor } from '../tensor/index.js';
import { bool, defineOptions, real } from '../tensor/options.js';

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

const ADADELTA_OPTIONS = defineOptions('Adadelta', {
  lr: real.default(1.0),
  rho: real.default(0.9),
  eps: real.default(1e-6),
  weightDecay: real.default(0),
  maximize: bool.default(false),
});

/** Adadelta as PyTorch 1.13 computes it: running means of squared gradients and of squared updates (`rho`). */
export class Adadelta extends Optimizer {
  constructor(params: ParamsArg, opts?: AdadeltaOptions) {
    const o = ADADELTA_OPTIONS.parse(opts);
    if (!(o.lr >= 0)) throw new ValueError(`Invalid learning rate: ${o.lr}`);
    if (!(o.rho >= 0 && o.rho <= 1)) throw new ValueError(`Invalid rho value: ${o.rho}`);
    if (!(o.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${o.eps}`);
    if (!(o.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${o.weightDecay}`);
    super(params, o, ADADELTA_OPTIONS);
  }

  protected override initState(_g: ParamGroup, p: Tensor): void {
    const st = this.stateOf(p);
    this.stateScalar(p, 'step');
    st.squareAvg ??= zerosLike(p);
    st.accDelta ??= zerosLike(p);
  }

  protected updateGroup(g: ParamGroup): void {
    const rho = g.rho as number;
    const eps = g.eps as number;
    const wd = g.weightDecay as number;
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      // State in place, the step count a tensor: the same program at every step (see Optimizer.hyper).
      this.initState(g, p);
      const st = this.stateOf(p);
      (st.step as Tensor).add_(1);
      const sq = st.squareAvg as Tensor;
      sq.mul_(rho).add_(grad.mul(grad), { alpha: 1 - rho });
      const std = sq.add(eps).sqrt();
      const acc = st.accDelta as Tensor;
      const delta = acc.add(eps).sqrt().div(std).mul(grad);
      acc.mul_(rho).add_(delta.mul(delta), { alpha: 1 - rho });
      p.sub_(delta.mul(this.lrFor(g, p)));
    }
  }
}
