import { ArgumentError } from '../../ir/index.js';
import { flatten, unflatten, type Tensor } from '../../tensor/index.js';
import { defineOptions, describeValue, int } from '../../tensor/options.js';
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

/** Splits dim `dim` into `unflattenedSize` (one entry may be -1): torch.unflatten as a module. */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];
  constructor(
    readonly dim: number,
    unflattenedSize: readonly number[],
  ) {
    super();
    if (!Number.isSafeInteger(dim)) throw new ArgumentError(`Unflatten(): argument 'dim' must be an int, not ${describeValue(dim)}`);
    if (!Array.isArray(unflattenedSize) || !unflattenedSize.every((v) => Number.isSafeInteger(v))) {
      throw new ArgumentError(`Unflatten(): unflattened_size must be a tuple of ints, but found type ${describeValue(unflattenedSize)}`);
    }
    this.unflattenedSize = [...unflattenedSize];
  }
  override forward(x: Tensor): Tensor {
    return unflatten(x, this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    const s = this.unflattenedSize;
    return `dim=${this.dim}, unflattened_size=(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
  }
}
