/**
 * torch.utils.data.DataLoader: iterate over a map-style dataset in batches.
 *
 *   const loader = new DataLoader(ds, { batchSize: 64, shuffle: true, generator: new Generator().manualSeed(0) });
 *   for (const [x, y] of loader) { ... }      // loader.length batches per epoch
 *
 * Each iteration is one epoch. With shuffle, each epoch draws a fresh permutation from `generator`, or from
 * torch.defaultGenerator (seeded by torch.manualSeed) when none is given, so runs are reproducible.
 * Batches are made by the dataset's getBatch (one buffer per field) unless a collateFn is given, in which
 * case the samples are fetched with getItem and passed to it. Loading runs in the calling thread.
 */
import { ArgumentError, ValueError } from '../ir/index.js';
import { defaultGenerator, Generator } from '../tensor/index.js';
import { bool, custom, defineOptions, describeValue, fn } from '../tensor/options.js';

const DATA_LOADER_OPTIONS = defineOptions('DataLoader', {
  batchSize: custom<number>('a positive integer', () => true).optional(),
  shuffle: bool.optional(),
  generator: custom<Generator>('a torch.Generator', (v) => v instanceof Generator).optional(),
  dropLast: bool.optional(),
  collateFn: fn().optional(),
});
import { defaultCollate, type Collated } from './collate.js';
import type { Dataset } from './dataset.js';

export interface DataLoaderOptions<S, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle the samples at every epoch (default false). */
  shuffle?: boolean;
  /** The generator shuffling draws from (default torch.defaultGenerator). */
  generator?: Generator;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Make a batch from a list of samples (default defaultCollate, or the dataset's getBatch). */
  collateFn?: (samples: S[]) => B;
}

export class DataLoader<S, B = Collated<S>> implements Iterable<B> {
  readonly dataset: Dataset<S>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | undefined;
  readonly collateFn: ((samples: S[]) => B) | undefined;

  constructor(dataset: Dataset<S>, opts: DataLoaderOptions<S, B> = {}) {
    DATA_LOADER_OPTIONS.check(opts);
    const batchSize = opts.batchSize ?? 1;
    if (!Number.isSafeInteger(batchSize) || batchSize <= 0) {
      throw new ValueError(`DataLoader: batch_size should be a positive integer value, but got batch_size=${describeValue(batchSize)}`);
    }
    if (typeof (dataset as { getItem?: unknown } | null)?.getItem !== 'function') {
      throw new ArgumentError(`DataLoader(): the dataset must have getItem(index) and length, got ${describeValue(dataset)}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator;
    this.collateFn = opts.collateFn;
  }

  /** Number of batches per epoch: len(loader). */
  get length(): number {
    const n = this.dataset.length;
    if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`DataLoader: the dataset's length must be a non-negative integer, got ${describeValue(n)}`);
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  len(): number {
    return this.length;
  }

  /** The sample indices of one epoch, in the order they are loaded. */
  private order(): Int32Array {
    const n = this.dataset.length;
    if (this.shuffle) return (this.generator ?? defaultGenerator).permutation(n);
    return Int32Array.from({ length: n }, (_, i) => i);
  }

  private batch(indices: number[]): B {
    const ds = this.dataset;
    if (this.collateFn) return this.collateFn(indices.map((i) => ds.getItem(i)));
    if (ds.getBatch) return ds.getBatch(indices) as unknown as B;
    return defaultCollate(indices.map((i) => ds.getItem(i))) as unknown as B;
  }

  *[Symbol.iterator](): Iterator<B> {
    const order = this.order();
    const bs = this.batchSize;
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      yield this.batch(Array.from(order.subarray(b * bs, Math.min((b + 1) * bs, order.length))));
    }
  }
}
