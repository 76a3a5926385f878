import { z } from 'zod';
import { ArgumentError, ValueError } from '../../ir/index.js';
import { custom, defineOptions, describeValue, int } from '../../tensor/options.js';
import { LRScheduler } from '../lr-scheduler.js';
import type { Optimizer } from '../optimizer.js';
import { ChainableLR, type SchedulerStateDict } from './base.js';

const SEQUENTIAL_OPTIONS = defineOptions('SequentialLR', {
  schedulers: z.array(custom<LRScheduler>('an LRScheduler', (v) => v instanceof LRScheduler)),
  milestones: z.array(int),
});

/** PyTorch's `step(epoch)` on any scheduler: the closed form where it has one. */
function stepTo(s: LRScheduler, epoch: number): void {
  if (s instanceof ChainableLR) s.stepTo(epoch);
  else {
    s.lastEpoch = epoch - 1;
    s.step();
  }
}

/** Run `schedulers[i]` from milestone i-1 (restarted at epoch 0 there) until milestone i. */
export class SequentialLR extends ChainableLR {
  readonly schedulers: LRScheduler[];
  milestones: number[];
  constructor(optimizer: Optimizer, opts: { schedulers: LRScheduler[]; milestones: number[] }) {
    const o = SEQUENTIAL_OPTIONS.parse(opts);
    o.schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) {
        throw new ValueError(
          `Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
      }
    });
    if (o.milestones.length !== o.schedulers.length - 1) {
      throw new ValueError(
        `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${o.schedulers.length} and the number of milestones to be equal to ${o.milestones.length}`,
      );
    }
    super(optimizer);
    this.schedulers = [...o.schedulers];
    this.milestones = [...o.milestones];
    // As PyTorch: back to the initial rates, undo the initial step each scheduler made, redo the first one's.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.step();
    this.lastEpoch = 0;
    this.setLrs(this.schedulers[0]!.getLastLr());
  }
  protected getLr(): number[] {
    return this.schedulers[0]!.getLastLr();
  }
  override step(): void {
    const epoch = this.lastEpoch + 1;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx]! <= epoch) idx++;
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === epoch) stepTo(s, 0);
    else s.step();
    this.lastEpoch = epoch;
    this.setLrs(s.getLastLr());
  }
  override stepTo(epoch: number): void {
    throw new ArgumentError(`SequentialLR.stepTo(${describeValue(epoch)}): SequentialLR steps one epoch at a time (step())`);
  }
  /** Its own epoch and rates, and the state dict of each scheduler. */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(s: { lastEpoch: number } & Record<string, unknown>): void {
    const subs = s?.schedulers;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length) {
      throw new ValueError(`SequentialLR.loadStateDict: expected the state of ${this.schedulers.length} schedulers, got ${describeValue(subs)}`);
    }
    const { schedulers: _, ...own } = s;
    super.loadStateDict(own as typeof s);
    this.schedulers.forEach((sch, i) => sch.loadStateDict(subs[i] as { lastEpoch: number }));
  }
  protected override stateFields() {
    return { milestones: z.array(int) };
  }
}
