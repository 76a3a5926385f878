/** Learning-rate schedulers: they set `lr` of each parameter group when `step()` is called (once per epoch). */
import type { Optimizer } from './optimizer.js';

export abstract class LRScheduler {
  lastEpoch = 0;
  readonly baseLrs: number[];
  private lastLr: number[];

  constructor(readonly optimizer: Optimizer) {
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
    this.lastEpoch = s.lastEpoch;
    this.lastLr = this.lrAt(this.lastEpoch);
  }
}

/** Multiply the learning rate by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, opts: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
  }
  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((lr) => lr * Math.pow(this.gamma, Math.floor(epoch / this.stepSize)));
  }
}

/** Cosine annealing from the base rate to `etaMin` over `TMax` epochs (PyTorch's closed form). */
export class CosineAnnealingLR extends LRScheduler {
  readonly TMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, opts: { TMax: number; etaMin?: number }) {
    super(optimizer);
    this.TMax = opts.TMax;
    this.etaMin = opts.etaMin ?? 0;
  }
  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.TMax))) / 2);
  }
}
