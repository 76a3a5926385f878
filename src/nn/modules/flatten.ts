import { flatten, type Tensor } from '../../tensor/index.js';
import { defineOptions, int } from '../../tensor/options.js';
import { Module } from '../module.js';
import { moduleArgs } from './args.js';

const FLATTEN_OPTIONS = defineOptions('Flatten', { startDim: int.default(1), endDim: int.default(-1) });

/** Merges dims startDim..endDim (default: all but the batch dim). */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim?: number | { startDim?: number; endDim?: number }, endDim?: number | { endDim?: number }) {
    super();
    ({ startDim: this.startDim, endDim: this.endDim } = moduleArgs(FLATTEN_OPTIONS, ['startDim', 'endDim'], [startDim, endDim]));
  }
  override forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
