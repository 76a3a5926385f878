import { ValueError } from '../../ir/index.js';
import type { Tensor } from '../../tensor/index.js';
import { dropout } from '../functional/dropout.js';
import { Module } from '../module.js';
import { pyBool, pyFloat } from './repr.js';

/** Zeroes each element with probability p during training (scaling the rest by 1/(1-p)); identity in eval mode. */
export class Dropout extends Module {
  readonly inplace: boolean;
  constructor(
    readonly p = 0.5,
    opts: { inplace?: boolean } = {},
  ) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.inplace = opts.inplace ?? false;
  }
  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
