import { z } from 'zod';
import { ArgumentError, ValueError } from '../../ir/index.js';
import { custom, defineOptions, describeValue, int, real, str } from '../../tensor/options.js';
import { Tensor } from '../../tensor/index.js';
import { Optimizer } from '../optimizer.js';

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

const PLATEAU_OPTIONS = defineOptions('ReduceLROnPlateau', {
  mode: str.default('min'),
  factor: real.default(0.1),
  patience: int.default(10),
  threshold: real.default(1e-4),
  thresholdMode: str.default('rel'),
  cooldown: int.default(0),
  minLr: custom<number | number[]>('a number or a list of numbers', (v) => (typeof v === 'number' && !Number.isNaN(v)) || (Array.isArray(v) && v.every((x) => typeof x === 'number' && !Number.isNaN(x)))).default(0),
  eps: real.default(1e-8),
});

const numberOrInf = z.number().or(z.literal(Infinity)).or(z.literal(-Infinity));

const PLATEAU_STATE = defineOptions('ReduceLROnPlateau.loadStateDict', {
  mode: z.enum(['min', 'max']),
  factor: real,
  patience: int,
  threshold: real,
  thresholdMode: z.enum(['rel', 'abs']),
  cooldown: int,
  minLrs: z.array(real),
  eps: real,
  lastEpoch: int,
  best: numberOrInf,
  numBadEpochs: int,
  cooldownCounter: int,
  lastLr: z.array(real),
});

export type ReduceLROnPlateauState = z.output<(typeof PLATEAU_STATE)['schema']>;

/**
 * Reduce each group's rate by `factor` (not below `minLr`) once the metric given to `step(metric)` has not
 * improved by more than `threshold` (relative or absolute) for `patience` epochs; then wait `cooldown`
 * epochs. As in PyTorch 1.13 it is not an LRScheduler (it has no schedule of its own).
 */
export class ReduceLROnPlateau {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  lastEpoch = 0;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: Optimizer,
    opts?: ReduceLROnPlateauOptions,
  ) {
    const o = PLATEAU_OPTIONS.parse(opts);
    if (o.factor >= 1) throw new ValueError('Factor should be < 1.0.');
    if (!(optimizer instanceof Optimizer)) throw new ArgumentError(`ReduceLROnPlateau(): ${describeValue(optimizer)} is not an Optimizer`);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(o.minLr) && o.minLr.length !== n) throw new ValueError(`expected ${n} min_lrs, got ${o.minLr.length}`);
    if (o.mode !== 'min' && o.mode !== 'max') throw new ValueError(`mode ${o.mode} is unknown!`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') throw new ValueError(`threshold mode ${o.thresholdMode} is unknown!`);
    this.mode = o.mode;
    this.factor = o.factor;
    this.patience = o.patience;
    this.threshold = o.threshold;
    this.thresholdMode = o.thresholdMode;
    this.cooldown = o.cooldown;
    this.minLrs = Array.isArray(o.minLr) ? [...o.minLr] : Array(n).fill(o.minLr);
    this.eps = o.eps;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** One epoch, with its metric (a number or a one-element tensor). */
  step(metric: number | Tensor): void {
    let current: number;
    if (typeof metric === 'number') current = metric;
    else if (metric instanceof Tensor) current = metric.item() as number;
    else throw new ArgumentError(`ReduceLROnPlateau.step(): metric must be a number or a one-element Tensor, not ${describeValue(metric)}`);
    if (typeof current !== 'number') current = Number(current);
    this.lastEpoch += 1;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = g.lr;
        const lr = Math.max(old * this.factor, this.minLrs[i]!);
        if (old - lr > this.eps) g.lr = lr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): ReduceLROnPlateauState {
    const { mode, factor, patience, threshold, thresholdMode, cooldown, eps, lastEpoch, best, numBadEpochs, cooldownCounter } = this;
    return { mode, factor, patience, threshold, thresholdMode, cooldown, minLrs: [...this.minLrs], eps, lastEpoch, best, numBadEpochs, cooldownCounter, lastLr: [...this.lastLr] };
  }

  loadStateDict(s: ReduceLROnPlateauState): void {
    const v = PLATEAU_STATE.parse(s);
    Object.assign(this, { ...v, minLrs: [...v.minLrs], lastLr: [...v.lastLr] });
  }
}
