import { ValueError } from '../ir/index.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';
import { zerosLike, type Tensor } from '../tensor/index.js';
import { bool, defineOptions, real } from '../tensor/options.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

/** Stochastic gradient descent with PyTorch's momentum, dampening, Nesterov and weight decay. */
const SGD_OPTIONS = defineOptions('SGD', {
  /** Required, as in PyTorch 1.13 (here or in every param group). */
  lr: real.optional(),
  momentum: real.default(0),
  dampening: real.default(0),
  weightDecay: real.default(0),
  nesterov: bool.default(false),
  maximize: bool.default(false),
});

export class SGD extends Optimizer {
  constructor(params: ParamsArg, opts?: SGDOptions) {
    const o = SGD_OPTIONS.parse(opts);
    if (o.lr !== undefined && o.lr < 0) throw new ValueError(`Invalid learning rate: ${o.lr}`);
    if (o.momentum < 0) throw new ValueError(`Invalid momentum value: ${o.momentum}`);
    if (o.weightDecay < 0) throw new ValueError(`Invalid weight_decay value: ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new ValueError('Nesterov momentum requires a momentum and zero dampening');
    super(params, o, SGD_OPTIONS);
  }

  /** A zero momentum buffer: without dampening the first step's `buf = d` is `0 * momentum + d`. */
  protected override initState(g: ParamGroup, p: Tensor): void {
    const st = this.stateOf(p);
    if ((g.momentum as number) !== 0 && (g.dampening as number) === 0 && st.momentumBuffer === undefined) st.momentumBuffer = zerosLike(p);
  }

  protected updateGroup(g: ParamGroup): void {
    const momentum = g.momentum as number;
    const dampening = g.dampening as number;
    const wd = g.weightDecay as number;
    for (const p of g.params) {
      if (!p.grad) continue;
      let d: Tensor = g.maximize ? p.grad.neg() : p.grad;
      if (wd !== 0) d = d.add(p, { alpha: wd });
      if (momentum !== 0) {
        // The buffer is updated in place (as PyTorch does), so it is the same tensor at every step.
        const st = this.stateOf(p);
        let buf = st.momentumBuffer as Tensor | undefined;
        if (!buf) st.momentumBuffer = buf = d.clone();
        else buf.mul_(momentum).add_(d, { alpha: 1 - dampening });
        d = g.nesterov ? d.add(buf.mul(momentum)) : buf;
      }
      p.sub_(d.mul(this.lrFor(g, p)));
    }
  }
}
