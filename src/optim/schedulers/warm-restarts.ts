import { ArgumentError, ValueError } from '../../ir/index.js';
import { defineOptions, describeValue, real } from '../../tensor/options.js';
import type { Optimizer } from '../optimizer.js';
import { ChainableLR } from './base.js';

const WARM_RESTARTS_OPTIONS = defineOptions('CosineAnnealingWarmRestarts', { T0: real, TMult: real.default(1), etaMin: real.default(0) });

/**
 * SGDR (Loshchilov & Hutter): cosine annealing from the base rate to `etaMin` over periods of T0, T0 * TMult,
 * T0 * TMult^2, ... epochs, restarting at the base rate. `step(epoch)` accepts fractional epochs (per batch).
 */
export class CosineAnnealingWarmRestarts extends ChainableLR {
  T0: number;
  TMult: number;
  etaMin: number;
  /** The current period and the epochs since its start. */
  TI: number;
  TCur = -1;
  constructor(optimizer: Optimizer, opts: { T0: number; TMult?: number; etaMin?: number }) {
    const o = WARM_RESTARTS_OPTIONS.parse(opts);
    if (!(o.T0 > 0) || !Number.isInteger(o.T0)) throw new ValueError(`Expected positive integer T_0, but got ${o.T0}`);
    if (!(o.TMult >= 1) || !Number.isInteger(o.TMult)) throw new ValueError(`Expected integer T_mult >= 1, but got ${o.TMult}`);
    super(optimizer);
    this.T0 = o.T0;
    this.TI = o.T0;
    this.TMult = o.TMult;
    this.etaMin = o.etaMin;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * this.TCur) / this.TI))) / 2);
  }
  /** One epoch on, or to `epoch` (>= 0, may be fractional). */
  override step(epoch?: number): void {
    if (epoch !== undefined && (typeof epoch !== 'number' || Number.isNaN(epoch))) {
      throw new ArgumentError(`CosineAnnealingWarmRestarts.step(): epoch must be a number, not ${describeValue(epoch)}`);
    }
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.TCur += 1;
      if (this.TCur >= this.TI) {
        this.TCur -= this.TI;
        this.TI *= this.TMult;
      }
    } else {
      if (epoch < 0) throw new ValueError(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.T0) {
        if (this.TMult === 1) this.TCur = epoch % this.T0;
        else {
          const n = Math.trunc(Math.log((epoch / this.T0) * (this.TMult - 1) + 1) / Math.log(this.TMult));
          this.TCur = epoch - (this.T0 * (Math.pow(this.TMult, n) - 1)) / (this.TMult - 1);
          this.TI = this.T0 * Math.pow(this.TMult, n);
        }
      } else {
        this.TI = this.T0;
        this.TCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.setLrs(this.getLr());
  }
  override stepTo(epoch: number): void {
    this.step(epoch);
  }
  protected override initialStep(): void {
    this.lastEpoch = -1;
    this.step();
  }
  protected override stateFields() {
    return { T0: real, TMult: real, etaMin: real, TI: real, TCur: real };
  }
}
