import { ValueError } from '../ir/index.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';
import { zerosLike, type Tensor } from '../tensor/index.js';
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

  protected override initState(g: ParamGroup, p: Tensor): void {
    const st = this.stateOf(p);
    this.stateScalar(p, 'step');
    st.squareAvg ??= zerosLike(p);
    if ((g.momentum as number) > 0) st.momentumBuffer ??= zerosLike(p);
    if (g.centered) st.gradAvg ??= zerosLike(p);
  }

  protected updateGroup(g: ParamGroup): void {
    const alpha = g.alpha as number;
    const wd = g.weightDecay as number;
    const momentum = g.momentum as number;
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      // State in place, the step count a tensor: the same program at every step (see Optimizer.hyper).
      this.initState(g, p);
      const st = this.stateOf(p);
      (st.step as Tensor).add_(1);
      const sq = st.squareAvg as Tensor;
      sq.mul_(alpha).add_(grad.mul(grad), { alpha: 1 - alpha });
      let avg: Tensor;
      if (g.centered) {
        const ga = st.gradAvg as Tensor;
        ga.mul_(alpha).add_(grad, { alpha: 1 - alpha });
        avg = sq.sub(ga.mul(ga)).sqrt();
      } else {
        avg = sq.sqrt();
      }
      avg = avg.add(g.eps as number);
      const lr = this.lrFor(g, p);
      if (momentum > 0) {
        // momentum as a tensor: OneCycleLR may change it every step.
        const buf = st.momentumBuffer as Tensor;
        buf.mul_(this.hyperFor(g, 'momentum', p)).add_(grad.div(avg));
        p.sub_(buf.mul(lr));
      } else {
        p.sub_(grad.div(avg).mul(lr));
      }
    }
  }
}
