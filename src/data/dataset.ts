/**
 * torch.utils.data.Dataset and TensorDataset.
 *
 * A map-style dataset has a length and an item per index. A dataset may also implement `getBatch(indices)`,
 * returning the collated batch directly (PyTorch's `__getitems__` idea): the DataLoader uses it when no
 * custom collateFn is given, so array-backed datasets copy a batch's rows into one buffer per field.
 */
import { IndexError, numel, ShapeError, ValueError } from '../ir/index.js';
import { describeValue } from '../tensor/options.js';
import { fromValues, hostValues, Tensor } from '../tensor/index.js';
import { checkIndex, gatherRows, type Collated } from './collate.js';

export abstract class Dataset<S> {
  /** The sample at `index` (negative indices count from the end). */
  abstract getItem(index: number): S;
  /** The number of samples. */
  abstract get length(): number;
  /** Optional fast path: the collated batch of the samples at `indices`. */
  getBatch?(indices: readonly number[]): Collated<S>;

  /** len(dataset) */
  len(): number {
    return this.length;
  }

  /** Iterate over the samples in order. */
  *[Symbol.iterator](): Iterator<S> {
    for (let i = 0; i < this.length; i++) yield this.getItem(i);
  }
}

/** The values of row `i` of a tensor as a new tensor. */
function row(t: Tensor, i: number): Tensor {
  const shape = t.shape.slice(1);
  const size = numel(shape);
  const values = hostValues(t).slice(i * size, (i + 1) * size);
  return fromValues(values, shape, t.dtype, t.device);
}

/**
 * torch.utils.data.TensorDataset: sample i is row i of each tensor. Rows are copies (PyTorch returns views):
 * writing to a sample does not change the dataset.
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  readonly tensors: T;

  constructor(...tensors: T) {
    super();
    if (tensors.length === 0) throw new ValueError('TensorDataset: at least one tensor is needed');
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new ValueError(`TensorDataset: argument ${k} is not a tensor`);
      if (t.dim() === 0) throw new ShapeError(`TensorDataset: tensor ${k} is 0-d; every tensor needs a first dimension to index`);
    });
    const n = tensors[0]!.shape[0];
    if (tensors.some((t) => t.shape[0] !== n)) {
      throw new ShapeError(`TensorDataset: Size mismatch between tensors (first dimensions ${tensors.map((t) => t.shape[0]).join(', ')})`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  getItem(index: number): T {
    const i = checkIndex(index, this.length);
    return this.tensors.map((t) => row(t, i)) as T;
  }

  override getBatch(indices: readonly number[]): Collated<T> {
    if (!Array.isArray(indices)) throw new IndexError(`TensorDataset.getBatch: expected a list of indices, got ${describeValue(indices)}`);
    const n = this.length;
    const idx = indices.map((i) => checkIndex(i, n));
    return this.tensors.map((t) => {
      const shape = t.shape.slice(1);
      const size = numel(shape);
      return fromValues(gatherRows(hostValues(t), size, idx, t.dtype), [idx.length, ...shape], t.dtype, t.device);
    }) as Collated<T>;
  }
}
