/**
 * The argsort primitive and the ops on it (sort, argsort, msort, topk, unique): hand-computed values, NaN order,
 * stability, cpu against the interp device, and kernel counts.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { build } from '../../src/ir/index.js';
import { getDevice, interpret, plannedKernels } from '../../src/runtime/index.js';

const NAN = Number.NaN;
const list = (t: torch.Tensor): unknown => t.tolist();

describe('argsort primitive', () => {
  test('stable, NaN last ascending and first descending, on cpu and interp', () => {
    for (const device of ['cpu', 'interp']) {
      const x = torch.tensor([[3, 1, NAN, 1, -2, 3], [0, -0, 5, NAN, NAN, -1]], { device });
      const { values, indices } = torch.sort(x);
      expect(list(indices)).toEqual([[4, 1, 3, 0, 5, 2], [5, 0, 1, 2, 3, 4]]);
      expect(list(values)).toEqual([[-2, 1, 1, 3, 3, NAN], [-1, 0, -0, 5, NAN, NAN]]);
      expect(list(torch.argsort(x, 1, true))).toEqual([[2, 0, 5, 1, 3, 4], [3, 4, 2, 0, 1, 5]]);
    }
  });

  test('long rows (merge passes) and int64 keys agree with a JS stable sort', () => {
    const n = 1000;
    const vals = Array.from({ length: 3 * n }, (_, i) => ((i * 7919) % 101) - 50);
    const x = torch.tensor(BigInt64Array.from(vals, (v) => BigInt(v))).reshape(3, n);
    const got = torch.argsort(x, { dim: 1, descending: true }).tolist() as number[][];
    for (let r = 0; r < 3; r++) {
      const row = vals.slice(r * n, (r + 1) * n);
      const want = row.map((_, i) => i).sort((a, b) => row[b]! - row[a]!);
      expect(got[r]).toEqual(want);
    }
  });

  test('rows in parallel (per-thread scratch) agree with the interp device', () => {
    const vals = Float32Array.from({ length: 32 * 1024 }, (_, i) => (i % 7 === 0 ? Number.NaN : Math.sin(i * 12.9898) * 43758.5453 % 10));
    const x = torch.tensor(vals).reshape(32, 1024);
    const cpu = torch.argsort(x, 1, true).tolist();
    const ref = torch.argsort(x.to('interp'), 1, true).tolist();
    expect(cpu).toEqual(ref);
  });

  test('sorting along a non-last dim of a fused input is one kernel', () => {
    const dev = getDevice('cpu');
    const x = build.buffer(dev.fromHost('float32', Float32Array.from({ length: 24 }, (_, i) => Math.sin(i))), [4, 6]);
    const s = build.argsort(build.unary('exp', x), 0, false);
    expect(plannedKernels([s])).toHaveLength(1);
    const [cpu] = dev.execute([s]);
    expect(Array.from(dev.toHost(cpu!) as BigInt64Array)).toEqual(Array.from(interpret([s])[0] as BigInt64Array));
  });

  test('sort + gather of the values: the argsort kernel and one gather kernel', () => {
    const x = torch.tensor(Float32Array.from({ length: 400 }, (_, i) => Math.cos(i * 1.7))).reshape(8, 50);
    const v = torch.sort(x, 1).values.mul(2);
    expect(torch.ir.kernels(v)).toHaveLength(2);
  });
});

describe('sort, argsort, msort, topk, unique', () => {
  test('0-d and empty', () => {
    const { values, indices } = torch.sort(torch.tensor(2.5));
    expect(values.item()).toBe(2.5);
    expect(indices.item()).toBe(0);
    expect(torch.sort(torch.zeros(0, 3), 0).values.shape).toEqual([0, 3]);
  });
  test('msort sorts dim 0', () => {
    expect(list(torch.msort(torch.tensor([[2, 1], [0, 3]])))).toEqual([[0, 1], [2, 3]]);
  });
  test('topk: largest and smallest, k out of range', () => {
    const x = torch.tensor([1, 5, 3, 5, 2]);
    const r = torch.topk(x, 2);
    expect(list(r.values)).toEqual([5, 5]);
    expect(list(r.indices)).toEqual([1, 3]);
    expect(list(torch.topk(x, 2, { largest: false }).indices)).toEqual([0, 4]);
    expect(() => torch.topk(x, 6)).toThrow(torch.IndexError);
  });
  test('unique: values, inverse, counts', () => {
    const x = torch.tensor([[3n, 1n, 3n], [2n, 1n, 1n]]);
    const [u, inv, cnt] = torch.unique(x, { returnInverse: true, returnCounts: true }) as torch.Tensor[];
    expect(list(u!)).toEqual([1, 2, 3]);
    expect(list(inv!)).toEqual([[2, 0, 2], [1, 0, 0]]);
    expect(list(cnt!)).toEqual([3, 1, 2]);
    expect(u!.dtype).toBe('int64');
  });
  test('sort values carry the gradient back to their positions', () => {
    const x = torch.tensor([3, 1, 2], { requiresGrad: true });
    torch.sort(x).values.mul(torch.tensor([1, 10, 100])).sum().backward();
    expect(list(x.grad!)).toEqual([100, 1, 10]);
  });
});
