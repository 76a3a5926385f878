import { z } from 'zod';
import { ArgumentError, ValueError } from '../../ir/index.js';
import { bool, custom, defineOptions, describeValue, real, str } from '../../tensor/options.js';
import { Optimizer } from '../optimizer.js';
import { ChainableLR } from './base.js';

export interface OneCycleLROptions {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

const perGroup = custom<number | number[]>('a number or a list of numbers', (v) => (typeof v === 'number' && !Number.isNaN(v)) || (Array.isArray(v) && v.every((x) => typeof x === 'number' && !Number.isNaN(x))));

const ONE_CYCLE_OPTIONS = defineOptions('OneCycleLR', {
  maxLr: perGroup,
  totalSteps: real.optional(),
  epochs: real.optional(),
  stepsPerEpoch: real.optional(),
  pctStart: real.default(0.3),
  annealStrategy: str.default('cos'),
  cycleMomentum: bool.default(true),
  baseMomentum: perGroup.default(0.85),
  maxMomentum: perGroup.default(0.95),
  divFactor: real.default(25),
  finalDivFactor: real.default(1e4),
  threePhase: bool.default(false),
});

type Anchor = 'initial' | 'max' | 'min';
type Phase = { endStep: number; startLr: Anchor; endLr: Anchor; startMomentum: 'max' | 'base'; endMomentum: 'max' | 'base' };

const positiveInt = (name: string, v: number | undefined): number => {
  if (v === undefined || !(v > 0) || !Number.isInteger(v)) throw new ValueError(`Expected positive integer ${name}, but got ${describeValue(v)}`);
  return v;
};

/**
 * The 1cycle policy (Smith & Topin) as PyTorch 1.13 computes it: the rate rises from maxLr / divFactor to maxLr
 * over pctStart of the steps, then anneals (cosine or linear) to the initial rate / finalDivFactor (with
 * `threePhase`, back to the initial rate first); the momentum (SGD's / RMSprop's `momentum`, Adam-family
 * `betas[0]`) cycles the other way between maxMomentum and baseMomentum. Step it once per batch, totalSteps
 * times at most. The per-group maximum, minimum and momentum bounds live in the scheduler (and its state dict),
 * not in the param groups.
 */
export class OneCycleLR extends ChainableLR {
  readonly totalSteps: number;
  maxLrs: number[];
  minLrs: number[];
  maxMomentums: number[];
  baseMomentums: number[];
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly momentumKey: 'momentum' | 'betas' | null;

  constructor(optimizer: Optimizer, opts: OneCycleLROptions) {
    const o = ONE_CYCLE_OPTIONS.parse(opts);
    if (!(optimizer instanceof Optimizer)) throw new ArgumentError(`OneCycleLR(): ${describeValue(optimizer)} is not an Optimizer`);
    let total: number;
    if (o.totalSteps === undefined && o.epochs === undefined && o.stepsPerEpoch === undefined) {
      throw new ValueError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    } else if (o.totalSteps !== undefined) total = positiveInt('total_steps', o.totalSteps);
    else total = positiveInt('epochs', o.epochs) * positiveInt('steps_per_epoch', o.stepsPerEpoch);
    if (!(o.pctStart >= 0 && o.pctStart <= 1)) throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${o.pctStart}`);
    if (o.annealStrategy !== 'cos' && o.annealStrategy !== 'linear') {
      throw new ValueError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${o.annealStrategy}`);
    }
    const n = optimizer.paramGroups.length;
    const format = (name: string, v: number | number[]): number[] => {
      if (!Array.isArray(v)) return Array(n).fill(v);
      if (v.length !== n) throw new ValueError(`expected ${n} values for ${name}, got ${v.length}`);
      return [...v];
    };
    const maxLrs = format('max_lr', o.maxLr);
    let momentumKey: 'momentum' | 'betas' | null = null;
    let maxMomentums: number[] = [];
    let baseMomentums: number[] = [];
    if (o.cycleMomentum) {
      const d = optimizer.defaults;
      if (!('momentum' in d) && !('betas' in d)) throw new ValueError('optimizer must support momentum with `cycle_momentum` option enabled');
      momentumKey = 'betas' in d ? 'betas' : 'momentum';
      maxMomentums = format('max_momentum', o.maxMomentum);
      baseMomentums = format('base_momentum', o.baseMomentum);
    }
    // Checked: now set the groups' initial rates (read by the base class) and momenta.
    optimizer.paramGroups.forEach((g, i) => {
      g.initialLr = maxLrs[i]! / o.divFactor;
      if (momentumKey === 'betas') g.betas = [maxMomentums[i]!, ...(g.betas as number[]).slice(1)];
      else if (momentumKey === 'momentum') g.momentum = maxMomentums[i]!;
    });
    super(optimizer);
    this.totalSteps = total;
    this.maxLrs = maxLrs;
    this.minLrs = this.baseLrs.map((lr) => lr / o.finalDivFactor);
    this.maxMomentums = maxMomentums;
    this.baseMomentums = baseMomentums;
    this.momentumKey = momentumKey;
    this.anneal =
      o.annealStrategy === 'cos'
        ? (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
        : (start, end, pct) => (end - start) * pct + start;
    const up = o.pctStart * total - 1;
    this.phases = o.threePhase
      ? [
          { endStep: up, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: 2 * o.pctStart * total - 2, startLr: 'max', endLr: 'initial', startMomentum: 'base', endMomentum: 'max' },
          { endStep: total - 1, startLr: 'initial', endLr: 'min', startMomentum: 'max', endMomentum: 'max' },
        ]
      : [
          { endStep: up, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: total - 1, startLr: 'max', endLr: 'min', startMomentum: 'base', endMomentum: 'max' },
        ];
    this.initialStep();
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new ValueError(`Tried to step ${step + 1} times. The specified number of total steps is ${this.totalSteps}`);
    }
    const momenta: number[] = [];
    const lrs = this.optimizer.paramGroups.map((g, i) => {
      const lrOf = (a: Anchor) => (a === 'initial' ? (g.initialLr as number) : a === 'max' ? this.maxLrs[i]! : this.minLrs[i]!);
      const momentumOf = (a: 'max' | 'base') => (a === 'max' ? this.maxMomentums[i]! : this.baseMomentums[i]!);
      let start = 0;
      for (let k = 0; k < this.phases.length; k++) {
        const ph = this.phases[k]!;
        if (step <= ph.endStep || k === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          if (this.momentumKey) momenta.push(this.anneal(momentumOf(ph.startMomentum), momentumOf(ph.endMomentum), pct));
          return this.anneal(lrOf(ph.startLr), lrOf(ph.endLr), pct);
        }
        start = ph.endStep;
      }
      return g.lr;
    });
    // Computed for every group before any is changed (a failure changes nothing).
    this.optimizer.paramGroups.forEach((g, i) => {
      if (this.momentumKey === 'betas') g.betas = [momenta[i]!, ...(g.betas as number[]).slice(1)];
      else if (this.momentumKey === 'momentum') g.momentum = momenta[i]!;
    });
    return lrs;
  }

  protected override stateFields() {
    return { maxLrs: z.array(real), minLrs: z.array(real), maxMomentums: z.array(real), baseMomentums: z.array(real) };
  }
}
