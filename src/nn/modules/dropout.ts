import { ValueError } from '../../ir/index.js';
import type { Tensor } from '../../tensor/index.js';
import { dropout } from '../functional/dropout.js';
import { bool, defineOptions, real } from '../../tensor/options.js';
import { Module } from '../module.js';
import { moduleArgs } from './args.js';
import { pyBool, pyFloat } from './repr.js';

const DROPOUT_OPTIONS = defineOptions('Dropout', { p: real.default(0.5), inplace: bool.default(false) });

/** Zeroes each element with probability p during training (scaling the rest by 1/(1-p)); identity in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(p?: number | { p?: number; inplace?: boolean }, opts?: { inplace?: boolean }) {
    super();
    ({ p: this.p, inplace: this.inplace } = moduleArgs(DROPOUT_OPTIONS, ['p', 'inplace'], [p, opts]));
    if (!(this.p >= 0 && this.p <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${this.p}`);
  }
  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
