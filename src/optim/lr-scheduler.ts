/** Learning-rate schedulers: they set `lr` of each parameter group when `step()` is called (once per epoch). */
import { z } from 'zod';
import { ArgumentError, ValueError, ZeroDivisionError } from '../ir/index.js';
import { defineOptions, describeValue, int, real } from '../tensor/options.js';
import { Optimizer } from './optimizer.js';

const STATE_DICT = defineOptions('LRScheduler.loadStateDict', { lastEpoch: int, baseLrs: z.array(real).optional() });

export abstract class LRScheduler {
  lastEpoch = 0;
  readonly baseLrs: number[];
  private lastLr: number[];

  constructor(readonly optimizer: Optimizer) {
    if (!(optimizer instanceof Optimizer)) {
      throw new ArgumentError(`${new.target.name}(): ${describeValue(optimizer)} is not an Optimizer`);
    }
    this.baseLrs = optimizer.paramGroups.map((g) => (g.initialLr as number | undefined) ?? g.lr);
    optimizer.paramGroups.forEach((g, i) => (g.initialLr = this.baseLrs[i]));
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates for `lastEpoch`. */
  protected abstract lrAt(epoch: number): number[];

  step(): void {
    this.lastEpoch++;
    const lrs = this.lrAt(this.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLr = lrs;
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): { lastEpoch: number; baseLrs: number[] } {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }
  loadStateDict(s: { lastEpoch: number }): void {
    STATE_DICT.parse(s);
    this.lastEpoch = s.lastEpoch;
    this.lastLr = this.lrAt(this.lastEpoch);
  }
}

const STEP_LR_OPTIONS = defineOptions('StepLR', { stepSize: int, gamma: real.default(0.1) });

/** Multiply the learning rate by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, opts: { stepSize: number; gamma?: number }) {
    const o = STEP_LR_OPTIONS.parse(opts);
    // PyTorch computes `last_epoch % step_size` at its first step.
    if (o.stepSize === 0) throw new ZeroDivisionError('StepLR(): integer division or modulo by zero (stepSize is 0)');
    if (o.stepSize < 0) throw new ValueError(`StepLR(): stepSize must be a positive integer, not ${o.stepSize}`);
    super(optimizer);
    this.stepSize = o.stepSize;
    this.gamma = o.gamma;
  }
  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((lr) => lr * Math.pow(this.gamma, Math.floor(epoch / this.stepSize)));
  }
}

const COSINE_OPTIONS = defineOptions('CosineAnnealingLR', { TMax: int, etaMin: real.default(0) });

/** Cosine annealing from the base rate to `etaMin` over `TMax` epochs (PyTorch's closed form). */
export class CosineAnnealingLR extends LRScheduler {
  readonly TMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, opts: { TMax: number; etaMin?: number }) {
    const o = COSINE_OPTIONS.parse(opts);
    // PyTorch computes `(last_epoch - 1 - T_max) % (2 * T_max)` at its first step.
    if (o.TMax === 0) throw new ZeroDivisionError('CosineAnnealingLR(): integer division or modulo by zero (TMax is 0)');
    if (o.TMax < 0) throw new ValueError(`CosineAnnealingLR(): TMax must be a positive integer, not ${o.TMax}`);
    super(optimizer);
    this.TMax = o.TMax;
    this.etaMin = o.etaMin;
  }
  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.TMax))) / 2);
  }
}
