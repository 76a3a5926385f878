import { ValueError } from '../ir/index.js';
import { Optimizer, scalarLike, type ParamGroup, type ParamsArg } from './optimizer.js';
import type { Tensor } from '../tensor/index.js';
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

  protected updateGroup(g: ParamGroup): void {
    const rho = g.rho as number;
    const eps = g.eps as number;
    const wd = g.weightDecay as number;
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      const st = this.stateOf(p);
      st.step = ((st.step as number | undefined) ?? 0) + 1;
      const sq0 = st.squareAvg as Tensor | undefined;
      const sq = sq0 ? sq0.mul(rho).add(grad.mul(grad), { alpha: 1 - rho }) : grad.mul(grad).mul(1 - rho);
      st.squareAvg = sq;
      const std = sq.add(eps).sqrt();
      const acc0 = st.accDelta as Tensor | undefined;
      // acc_delta starts at zero: sqrt(0 + eps).
      const delta = (acc0 ? acc0.add(eps).sqrt().div(std) : std.reciprocal().mul(Math.sqrt(eps))).mul(grad);
      st.accDelta = acc0 ? acc0.mul(rho).add(delta.mul(delta), { alpha: 1 - rho }) : delta.mul(delta).mul(1 - rho);
      p.sub_(delta.mul(scalarLike(p, g.lr)));
    }
  }
}
