import { ValueError } from '../ir/index.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';
import { fullLike, type Tensor } from '../tensor/index.js';
import { bool, defineOptions, real } from '../tensor/options.js';

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

const ADAGRAD_OPTIONS = defineOptions('Adagrad', {
  lr: real.default(1e-2),
  lrDecay: real.default(0),
  weightDecay: real.default(0),
  initialAccumulatorValue: real.default(0),
  eps: real.default(1e-10),
  maximize: bool.default(false),
});

/**
 * Adagrad as PyTorch 1.13 computes it: the sum of squared gradients (starting at
 * `initialAccumulatorValue`) scales each step; the rate decays as lr / (1 + (step - 1) * lrDecay).
 */
export class Adagrad extends Optimizer {
  constructor(params: ParamsArg, opts?: AdagradOptions) {
    const o = ADAGRAD_OPTIONS.parse(opts);
    if (!(o.lr >= 0)) throw new ValueError(`Invalid learning rate: ${o.lr}`);
    if (!(o.lrDecay >= 0)) throw new ValueError(`Invalid lr_decay value: ${o.lrDecay}`);
    if (!(o.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.initialAccumulatorValue >= 0)) throw new ValueError(`Invalid initial_accumulator_value value: ${o.initialAccumulatorValue}`);
    if (!(o.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${o.eps}`);
    super(params, o, ADAGRAD_OPTIONS);
  }

  /** The sum starts at `initialAccumulatorValue`, as PyTorch makes it. */
  protected override initState(g: ParamGroup, p: Tensor): void {
    const st = this.stateOf(p);
    this.stateScalar(p, 'step');
    st.sum ??= fullLike(p, g.initialAccumulatorValue as number);
  }

  protected updateGroup(g: ParamGroup): void {
    const wd = g.weightDecay as number;
    const lr = this.hyper(g, 'lr');
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      // State in place, the step count a tensor: the same program at every step (see Optimizer.hyper).
      this.initState(g, p);
      const st = this.stateOf(p);
      const step = st.step as Tensor;
      step.add_(1);
      if (wd !== 0) grad = grad.add(p, { alpha: wd });
      // clr = lr / (1 + (step - 1) * lrDecay), in float64 as PyTorch's Python floats
      const clr = lr.div(step.sub(1).mul(g.lrDecay as number).add(1));
      const sum = st.sum as Tensor;
      sum.add_(grad.mul(grad));
      const std = sum.sqrt().add(g.eps as number);
      p.sub_(grad.div(std).mul(clr.to(p.dtype)));
    }
  }
}
