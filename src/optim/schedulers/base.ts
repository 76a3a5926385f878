/**
 * The base of the schedulers that follow PyTorch 1.13's `_LRScheduler` literally: constructing one performs
 * its initial step (epoch 0 sets the group rates, as LinearLR's start factor needs), and `step()` computes the
 * next rates from the groups' current ones (PyTorch's chainable form), so schedulers used one after another
 * (SequentialLR) or together give PyTorch's values. `stepTo(epoch)` is PyTorch's `step(epoch)`: the closed form
 * where the scheduler has one.
 */
import { z } from 'zod';
import { ArgumentError } from '../../ir/index.js';
import { defineOptions, describeValue, int, real } from '../../tensor/options.js';
import { LRScheduler } from '../lr-scheduler.js';

export type SchedulerStateDict = { lastEpoch: number; baseLrs: number[]; lastLr: number[] } & Record<string, unknown>;

const BASE_STATE = { lastEpoch: int, baseLrs: z.array(real), lastLr: z.array(real) };

export abstract class ChainableLR extends LRScheduler {
  private lrs: number[] = [];
  private stateSpec?: ReturnType<typeof defineOptions>;

  /** The rates at `lastEpoch`, from the groups' current rates (PyTorch's `get_lr`). */
  protected abstract getLr(): number[];
  /** The rates at `lastEpoch` from the base rates alone (PyTorch's `_get_closed_form_lr`), where there is one. */
  protected closedFormLr(): number[] | null {
    return null;
  }
  /** Fields (beyond lastEpoch, baseLrs, lastLr) that the state dict holds, with their schemas. */
  protected stateFields(): Record<string, z.ZodType> {
    return {};
  }

  protected lrAt(epoch: number): number[] {
    const saved = this.lastEpoch;
    this.lastEpoch = epoch;
    try {
      return this.closedFormLr() ?? this.getLr();
    } finally {
      this.lastEpoch = saved;
    }
  }

  /** PyTorch's `_initial_step`: epoch 0, set by the constructor of each subclass once its fields are set. */
  protected initialStep(): void {
    this.lastEpoch = -1;
    this.step();
  }

  override step(): void {
    this.lastEpoch++;
    let lrs: number[];
    try {
      lrs = this.getLr();
    } catch (e) {
      this.lastEpoch--;
      throw e;
    }
    this.setLrs(lrs);
  }

  /** PyTorch's `step(epoch)`: jump to `epoch`, using the closed form where there is one. */
  stepTo(epoch: number): void {
    if (!Number.isSafeInteger(epoch)) throw new ArgumentError(`${this.constructor.name}.stepTo(): epoch must be an integer, not ${describeValue(epoch)}`);
    this.setLrs(this.lrAt(epoch));
    this.lastEpoch = epoch;
  }

  protected setLrs(lrs: number[]): void {
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lrs = [...lrs];
  }

  override getLastLr(): number[] {
    return [...this.lrs];
  }

  override stateDict(): SchedulerStateDict {
    const self = this as unknown as Record<string, unknown>;
    const extra = Object.fromEntries(Object.keys(this.stateFields()).map((k) => [k, structuredClone(self[k])]));
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lrs], ...extra };
  }

  override loadStateDict(s: { lastEpoch: number } & Record<string, unknown>): void {
    this.stateSpec ??= defineOptions(`${this.constructor.name}.loadStateDict`, { ...BASE_STATE, ...this.stateFields() });
    this.stateSpec.parse(s);
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(s)) {
      if (k === 'baseLrs') (this.baseLrs as number[]).splice(0, this.baseLrs.length, ...(v as number[]));
      else if (k === 'lastLr') this.lrs = [...(v as number[])];
      else self[k] = structuredClone(v);
    }
  }
}
