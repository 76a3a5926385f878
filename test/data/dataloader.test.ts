import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

const { Dataset, TensorDataset, DataLoader, defaultCollate } = torch.utils.data;

/** 10 samples: x row i = [i, i + 0.5, -i], y = i. */
function tenRows(): [torch.Tensor, torch.Tensor] {
  const x = torch.tensor(Array.from({ length: 10 }, (_, i) => [i, i + 0.5, -i]), { dtype: 'float32' });
  const y = torch.tensor(Array.from({ length: 10 }, (_, i) => i), { dtype: 'int32' });
  return [x, y];
}
const rowsOf = (ids: number[]): number[][] => ids.map((i) => [i, i + 0.5, -i]);

/** Every epoch's label order, for a loader over tenRows. */
function epochOrder(loader: Iterable<[torch.Tensor, torch.Tensor]>): number[] {
  const seen: number[] = [];
  for (const [x, y] of loader) {
    const ids = Array.from((y.dataSync()) as ArrayLike<number | bigint>, Number);
    expect(x.tolist()).toEqual(rowsOf(ids)); // x and y stay paired
    seen.push(...ids);
  }
  return seen;
}

describe('TensorDataset', () => {
  it('indexes rows of every tensor, with negative indices', () => {
    const ds = new TensorDataset(...tenRows());
    expect(ds.length).toBe(10);
    expect(ds.len()).toBe(10);
    const [x, y] = ds.getItem(3);
    expect(x.shape).toEqual([3]);
    expect(x.tolist()).toEqual([3, 3.5, -3]);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(3);
    expect(ds.getItem(-1)[1].item()).toBe(9);
    expect([...ds].length).toBe(10);
  });

  it('checks its input and its indices', () => {
    expect(() => new TensorDataset(torch.ones(3, 2), torch.ones(4))).toThrow(torch.ShapeError);
    expect(() => new TensorDataset(torch.ones(3, 2), torch.ones(4))).toThrow(/Size mismatch/);
    expect(() => new TensorDataset(torch.tensor(1))).toThrow(torch.ShapeError);
    const ds = new TensorDataset(...tenRows());
    expect(() => ds.getItem(10)).toThrow(torch.IndexError);
    expect(() => ds.getItem(-11)).toThrow(/out of bounds for dimension 0 with size 10/);
    expect(() => ds.getItem(1.5)).toThrow(torch.IndexError);
  });

  it('reads lazy tensors', () => {
    const [x, y] = tenRows();
    const ds = new TensorDataset(x.mul(2), y);
    expect(ds.getItem(2)[0].tolist()).toEqual([4, 5, -4]);
  });
});

describe('DataLoader batching', () => {
  it('batches in order, with a smaller last batch', () => {
    const loader = new DataLoader(new TensorDataset(...tenRows()), { batchSize: 4 });
    expect(loader.length).toBe(3);
    expect(loader.len()).toBe(3);
    const batches = [...loader];
    expect(batches.map(([x, y]) => [x.shape, y.shape])).toEqual([
      [[4, 3], [4]],
      [[4, 3], [4]],
      [[2, 3], [2]],
    ]);
    expect(batches[0]![0].dtype).toBe('float32');
    expect(batches[0]![1].dtype).toBe('int32'); // TensorDataset keeps the tensors' dtype
    expect(epochOrder(loader)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('dropLast drops the partial batch', () => {
    const loader = new DataLoader(new TensorDataset(...tenRows()), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map(([x]) => x.shape[0])).toEqual([4, 4]);
    const exact = new DataLoader(new TensorDataset(...tenRows()), { batchSize: 5, dropLast: true });
    expect(exact.length).toBe(2);
    expect(new DataLoader(new TensorDataset(...tenRows()), { batchSize: 11, dropLast: true }).length).toBe(0);
    expect([...new DataLoader(new TensorDataset(...tenRows()), { batchSize: 11, dropLast: true })]).toEqual([]);
    expect(new DataLoader(new TensorDataset(...tenRows())).length).toBe(10);
  });

  it('rejects a bad batch size', () => {
    const ds = new TensorDataset(...tenRows());
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(torch.ValueError);
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow(/positive integer/);
  });
});

describe('DataLoader shuffling', () => {
  const ds = new TensorDataset(...tenRows());
  const sorted = (a: number[]): number[] => [...a].sort((p, q) => p - q);
  const all = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

  it('sees every sample once per epoch, in a new order each epoch', () => {
    const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new torch.Generator().manualSeed(1) });
    const e1 = epochOrder(loader);
    const e2 = epochOrder(loader);
    expect(sorted(e1)).toEqual(all);
    expect(sorted(e2)).toEqual(all);
    expect(e1).not.toEqual(e2);
    expect(e1).not.toEqual(all);
  });

  it('same seed, same order; different seed, different order', () => {
    const make = (seed: number): InstanceType<typeof DataLoader<[torch.Tensor, torch.Tensor]>> =>
      new DataLoader(ds, { batchSize: 4, shuffle: true, generator: new torch.Generator().manualSeed(seed) });
    const a = make(42);
    const b = make(42);
    const c = make(43);
    const ea = [epochOrder(a), epochOrder(a)];
    expect([epochOrder(b), epochOrder(b)]).toEqual(ea);
    expect([epochOrder(c), epochOrder(c)]).not.toEqual(ea);
  });

  it('without a generator, torch.manualSeed makes shuffling reproducible', () => {
    const loader = new DataLoader(ds, { batchSize: 10, shuffle: true });
    torch.manualSeed(7);
    const a = epochOrder(loader);
    torch.manualSeed(7);
    expect(epochOrder(loader)).toEqual(a);
    torch.manualSeed(8);
    expect(epochOrder(loader)).not.toEqual(a);
  });
});

describe('collation', () => {
  class Records extends Dataset<{ x: torch.Tensor; label: number; score: number; ok: boolean; name: string }> {
    get length(): number {
      return 5;
    }
    getItem(i: number): { x: torch.Tensor; label: number; score: number; ok: boolean; name: string } {
      return { x: torch.tensor([[i, 2 * i]], { dtype: 'float64' }), label: i, score: i + 0.25, ok: i % 2 === 0, name: `s${i}` };
    }
  }

  it('defaultCollate stacks tensors and turns numbers into tensors, key by key', () => {
    const batches = [...new DataLoader(new Records(), { batchSize: 3 })];
    expect(batches.length).toBe(2);
    const b = batches[0]!;
    expect(b.x.shape).toEqual([3, 1, 2]);
    expect(b.x.dtype).toBe('float64');
    expect(b.x.tolist()).toEqual([[[0, 0]], [[1, 2]], [[2, 4]]]);
    expect([b.label.dtype, b.label.tolist()]).toEqual(['int64', [0, 1, 2]]); // integral numbers collate as PyTorch's ints
    expect([b.score.dtype, b.score.tolist()]).toEqual(['float32', [0.25, 1.25, 2.25]]);
    expect([b.ok.dtype, b.ok.tolist()]).toEqual(['bool', [true, false, true]]);
    expect(b.name).toEqual(['s0', 's1', 's2']);
    expect(batches[1]!.name).toEqual(['s3', 's4']);
  });

  it('collates tuples position by position', () => {
    const [x, y] = defaultCollate([
      [torch.tensor([1, 2]), 0],
      [torch.tensor([3, 4]), 1],
    ] as [torch.Tensor, number][]);
    expect(x.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(y.tolist()).toEqual([0, 1]);
  });

  it('a custom collateFn gets the list of samples', () => {
    const loader = new DataLoader(new Records(), { batchSize: 2, collateFn: (s) => s.map((r) => r.name).join('+') });
    expect([...loader]).toEqual(['s0+s1', 's2+s3', 's4']);
  });

  it('reports samples that cannot be stacked', () => {
    expect(() => defaultCollate([torch.ones(2), torch.ones(3)])).toThrow(torch.ShapeError);
    expect(() => defaultCollate([torch.ones(2), torch.ones(3)])).toThrow(/equal size, but got \[2\] at entry 0 and \[3\] at entry 1/);
    expect(() => defaultCollate([torch.ones(2), torch.ones(2, { dtype: 'int32' })])).toThrow(torch.DTypeError);
    expect(() => defaultCollate<unknown>([torch.ones(2), 3])).toThrow(torch.ValueError);
    expect(() => defaultCollate([[1, 2], [3]])).toThrow(/equal size/);
    expect(() => defaultCollate([])).toThrow(torch.ValueError);
    expect(() => defaultCollate([new Date()])).toThrow(/found Date/);
  });
});
