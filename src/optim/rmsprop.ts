import { ValueError } from '../ir/index.js';
import { Optimizer, scalarLike, type ParamGroup, type ParamsArg } from './optimizer.js';
import type { Tensor } from '../tensor/index.js';
import { bool, defineOptions, real } from '../tensor/options.js';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

const RMSPROP_OPTIONS = defineOptions('RMSprop', {
  lr: real.default(1e-2),
  alpha: real.default(0.99),
  eps: real.default(1e-8),
  weightDecay: real.default(0),
  momentum: real.default(0),
  centered: bool.default(false),
  maximize: bool.default(false),
});

/**
 * RMSprop as PyTorch 1.13 computes it: a running mean of squared gradients (`alpha`), optionally centered
 * (minus the squared running mean of gradients), with optional momentum on the scaled step.
 */
export class RMSprop extends Optimizer {
  constructor(params: ParamsArg, opts?: RMSpropOptions) {
    const o = RMSPROP_OPTIONS.parse(opts);
    if (!(o.lr >= 0)) throw new ValueError(`Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${o.eps}`);
    if (!(o.momentum >= 0)) throw new ValueError(`Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.alpha >= 0)) throw new ValueError(`Invalid alpha value: ${o.alpha}`);
    super(params, o, RMSPROP_OPTIONS);
  }

  protected updateGroup(g: ParamGroup): void {
    const alpha = g.alpha as number;
    const wd = g.weightDecay as number;
    const momentum = g.momentum as number;
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      const st = this.stateOf(p);
      st.step = ((st.step as number | undefined) ?? 0) + 1;
      // State starts at zero: the first update of each running mean is its second term alone.
      const sq0 = st.squareAvg as Tensor | undefined;
      const sq = sq0 ? sq0.mul(alpha).add(grad.mul(grad), { alpha: 1 - alpha }) : grad.mul(grad).mul(1 - alpha);
      st.squareAvg = sq;
      let avg: Tensor;
      if (g.centered) {
        const ga0 = st.gradAvg as Tensor | undefined;
        const ga = ga0 ? ga0.mul(alpha).add(grad, { alpha: 1 - alpha }) : grad.mul(1 - alpha);
        st.gradAvg = ga;
        avg = sq.sub(ga.mul(ga)).sqrt();
      } else {
        avg = sq.sqrt();
      }
      avg = avg.add(g.eps as number);
      const lr = scalarLike(p, g.lr);
      if (momentum > 0) {
        const b0 = st.momentumBuffer as Tensor | undefined;
        // momentum is a buffer: OneCycleLR may change it every step.
        const buf = b0 ? b0.mul(scalarLike(p, momentum)).add(grad.div(avg)) : grad.div(avg);
        st.momentumBuffer = buf;
        p.sub_(buf.mul(lr));
      } else {
        p.sub_(grad.div(avg).mul(lr));
      }
    }
  }
}
