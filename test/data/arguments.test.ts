/** Argument handling of torch.utils.data, torch.datasets, torch.Generator and the training utilities. */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { caught } from '../helpers.js';

const { DataLoader, TensorDataset, defaultCollate } = torch.utils.data;

describe('data loading arguments', () => {
  const ds = new TensorDataset(torch.arange(6, { dtype: torch.float32 }));

  it('DataLoader names the camelCase option for PyTorch spellings and checks types', () => {
    expect(caught(() => new DataLoader(ds, { batch_size: 2 } as never)).message).toMatch(/^DataLoader\(\) got an unexpected keyword argument 'batch_size'; did you mean 'batchSize'\?/);
    expect(caught(() => new DataLoader(ds, { drop_last: true } as never)).message).toMatch(/did you mean 'dropLast'\?/);
    expect(caught(() => new DataLoader(ds, { collate_fn: (x: unknown) => x } as never)).message).toMatch(/did you mean 'collateFn'\?/);
    expect(caught(() => new DataLoader(ds, { num_workers: 2 } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new DataLoader(ds, { shuffle: 'yes' } as never))).toEqual(new torch.ArgumentError(`DataLoader(): option 'shuffle' must be a boolean, not "yes"`));
    expect(caught(() => new DataLoader(ds, { batchSize: 0 }))).toEqual(new torch.ValueError('DataLoader: batch_size should be a positive integer value, but got batch_size=0'));
    expect(caught(() => new DataLoader(ds, { generator: {} as never }))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new DataLoader([1, 2, 3] as never))).toBeInstanceOf(torch.ArgumentError);
    expect([...new DataLoader(ds, { batchSize: 4 })].map((b) => (b as torch.Tensor[])[0]!.shape)).toEqual([[4], [2]]);
  });

  it('defaultCollate, MNIST, Generator, Progress and charts check their arguments', () => {
    expect(caught(() => defaultCollate(null as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new torch.datasets.MNIST({ download: true } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new torch.datasets.MNIST({ normalize: { mean: 0.1 } } as never))).toBeInstanceOf(torch.GraftError);
    expect(caught(() => new torch.Generator().manualSeed('7' as never))).toEqual(new torch.ArgumentError('manualSeed(): seed must be an integer (a number or a bigint), not "7"'));
    expect(caught(() => new torch.Generator({ device: 0 } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new torch.utils.Progress({ total: -1 }))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => new torch.utils.Progress({ total: 3, every: 0, plain: true }))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.utils.plot.lineChart({ series: [{ name: 'loss', y: ['a'] as never }] }))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.utils.plot.lineChart({ series: [], x_label: 'step' } as never)).message).toMatch(/did you mean 'xLabel'\?/);
    expect(torch.utils.plot.lineChart({ series: [{ name: 'a<b', y: [1, NaN, 2] }] })).toContain('a&lt;b');
  });
});

describe('collation of samples nested too deeply', () => {
  it('is a ValueError, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(caught(() => defaultCollate([deep, deep]))).toEqual(new torch.ValueError('default_collate: samples nested more than 1000 levels deep'));
    expect((defaultCollate([[[1]], [[2]]]) as unknown as torch.Tensor[][])[0]![0]!.tolist()).toEqual([1, 2]);
  });
});
