/**
 * The NumPy bridge: memory shared both ways, dtype mapping, copy-on-write for pending results. Views are made
 * with the internal makeView (x[:, 1] is a slice view; x.T a permute view).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { makeView, type Tensor } from '../../src/tensor/tensor.js';

/** x[:, col] of a 2-D tensor, as the indexing code makes it: a strided slice, then a reshape dropping the axis. */
function column(x: Tensor, col: number): Tensor {
  const [rows] = x.shape as [number, number];
  return makeView('select', x, [
    { kind: 'slice', start: [0, col], size: [rows, 1], step: [1, 1] },
    { kind: 'reshape', shape: [rows] },
  ]);
}
const transpose = (x: Tensor): Tensor => makeView('permute', x, [{ kind: 'permute', perm: [1, 0] }]);

describe('Tensor.numpy()', () => {
  it('shares memory with the tensor, through several in-place ops', () => {
    const a = torch.ones(5);
    const b = a.numpy();
    expect(b.data).toBeInstanceOf(Float32Array);
    expect([b.shape, b.stride, b.offset, b.dtype, b.size]).toEqual([[5], [1], 0, 'float32', 5]);
    expect(Array.from((b.data) as ArrayLike<number | bigint>, Number)).toEqual([1, 1, 1, 1, 1]);
    a.add_(1);
    expect(Array.from((b.data) as ArrayLike<number | bigint>, Number)).toEqual([2, 2, 2, 2, 2]);
    a.mul_(3).sub_(torch.tensor([0, 1, 2, 3, 4]));
    expect(Array.from((b.data) as ArrayLike<number | bigint>, Number)).toEqual([6, 5, 4, 3, 2]);
    b.data[0] = 100; // a JS write is seen by the tensor
    expect(a.tolist()).toEqual([100, 5, 4, 3, 2]);
    a.div_(2);
    expect(Array.from((b.data) as ArrayLike<number | bigint>, Number)).toEqual([50, 2.5, 2, 1.5, 1]);
    expect(a.numpy().data).toBe(b.data); // one memory, however often it is asked for
  });

  it('gives a view the memory of its base with the view strides and offset', () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    const col = column(x, 1);
    const nd = col.numpy();
    expect([nd.shape, nd.stride, nd.offset]).toEqual([[2], [3], 1]);
    expect(nd.data).toBe(x.numpy().data);
    expect(nd.tolist()).toEqual([2, 5]);
    x.add_(10);
    expect(nd.tolist()).toEqual([12, 15]);
    col.fill_(-1); // a write through the view lands in the base's memory
    expect(nd.tolist()).toEqual([-1, -1]);
    expect(Array.from((nd.data) as ArrayLike<number | bigint>, Number)).toEqual([11, -1, 13, 14, -1, 16]);
    nd.set(1, 99);
    expect(x.tolist()).toEqual([[11, -1, 13], [14, 99, 16]]);
    const xt = transpose(x).numpy();
    expect([xt.shape, xt.stride, xt.get(2, 1), xt.get(-1, 0)]).toEqual([[3, 2], [1, 3], 16, 13]);
    expect([xt.order, x.numpy().order, xt.dimension, xt.size]).toEqual([[0, 1], [1, 0], 2, 6]);
  });

  it('keeps results pending before a mutation on the old values (copy-on-write)', () => {
    const a = torch.tensor([1, 2, 3], { dtype: 'float32' });
    const b = a.numpy();
    const y = a.mul(2); // pending
    a.add_(1);
    const z = a.mul(2); // pending, after the mutation
    expect(Array.from((b.data) as ArrayLike<number | bigint>, Number)).toEqual([2, 3, 4]);
    expect(y.tolist()).toEqual([2, 4, 6]);
    expect(z.tolist()).toEqual([4, 6, 8]);
  });

  it('keeps realized results after a JS write, and computes new ones from the new values', () => {
    const a = torch.tensor([1, 2, 3], { dtype: 'float32' });
    const b = a.numpy();
    const y = a.mul(2);
    expect(y.tolist()).toEqual([2, 4, 6]);
    b.data[0] = 10;
    expect(y.tolist()).toEqual([2, 4, 6]);
    // The same lazy expression built again is a new read of the memory, not a stale cached value.
    expect(a.mul(2).tolist()).toEqual([20, 4, 6]);
    const c = a.clone();
    b.data[1] = 20;
    expect(c.tolist()).toEqual([10, 2, 3]);
    expect(a.tolist()).toEqual([10, 20, 3]);
  });

  it('keeps other tensors out of the shared memory', () => {
    // Equal lazy tensors are one IR node with one cached value: JS writes to one must not reach the other.
    const p = torch.ones(3);
    const q = torch.ones(3);
    q.realize();
    p.numpy().data[0] = 5;
    expect(p.tolist()).toEqual([5, 1, 1]);
    expect(q.tolist()).toEqual([1, 1, 1]);
    expect(torch.ones(3).tolist()).toEqual([1, 1, 1]);
  });

  it('maps dtypes and reads bools as booleans', () => {
    expect(torch.tensor([1.5], { dtype: 'float64' }).numpy().data).toBeInstanceOf(Float64Array);
    expect(torch.tensor([1, 2], { dtype: 'int32' }).numpy().data).toBeInstanceOf(Int32Array);
    const l = torch.tensor([1n, 2n ** 62n + 1n]).numpy();
    expect(l.data).toBeInstanceOf(BigInt64Array);
    expect([l.dtype, l.get(1), l.tolist()]).toEqual(['int64', 2n ** 62n + 1n, [1, 2n ** 62n + 1n]]);
    expect(torch.tensor([1, 2]).numpy().data).toBeInstanceOf(Float32Array); // JS numbers are floats
    const m = torch.tensor([true, false]).numpy();
    expect(m.data).toBeInstanceOf(Uint8Array);
    expect([m.dtype, m.tolist(), m.get(0)]).toEqual(['bool', [true, false], 1]);
    expect(torch.tensor(3.5).numpy().tolist()).toBe(3.5);
  });

  it('refuses tensors that require grad (unless forced) and checks indices', () => {
    const w = torch.tensor([1.5, 2.5], { requiresGrad: true });
    expect(() => w.numpy()).toThrow(torch.AutogradError);
    expect(() => w.numpy()).toThrow("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
    const nd = w.numpy({ force: true });
    expect(nd.tolist()).toEqual([1.5, 2.5]);
    expect(w.detach().numpy().data).toBe(nd.data);
    expect(() => nd.get(2)).toThrow(torch.IndexError);
    expect(() => nd.get(2)).toThrow('index 2 is out of bounds for axis 0 with size 2');
    expect(() => nd.get(0, 0)).toThrow(torch.IndexError);
  });
});

describe('torch.fromNumpy', () => {
  it('wraps typed arrays without copying, with the dtype of the array', () => {
    const cases: [ArrayLike<number>, torch.DType][] = [
      [new Float64Array([1.5, 2]), 'float64'],
      [new Float32Array([1.5, 2]), 'float32'],
      [new Int32Array([3, -4]), 'int32'],
      [new Uint8Array([1, 0]), 'bool'],
    ];
    for (const [arr, dtype] of cases) {
      const t = torch.fromNumpy(arr as Float64Array);
      expect(t.dtype).toBe(dtype);
      expect(t.shape).toEqual([2]);
      expect(t.numpy().data).toBe(arr);
    }
    expect(torch.fromNumpy(new Int16Array(2)).dtype).toBe('int16');
    expect(torch.fromNumpy(new Int8Array(2)).dtype).toBe('int8');
    expect(() => torch.fromNumpy(new Uint16Array(2) as unknown as Int32Array)).toThrow(torch.DTypeError);
  });

  it('sees JS writes, and in-place ops write into the array', () => {
    const arr = new Float64Array([1, 2, 3, 4]);
    const t = torch.fromNumpy(arr);
    arr[0] = 10;
    expect(t.tolist()).toEqual([10, 2, 3, 4]);
    t.add_(1);
    expect(Array.from(arr)).toEqual([11, 3, 4, 5]);
    t.mul_(torch.tensor([1, 0, 1, 0]));
    expect(Array.from(arr)).toEqual([11, 0, 4, 0]);
    const y = t.mul(2); // pending: keeps the values of before the next in-place op
    t.sub_(1);
    expect(Array.from(arr)).toEqual([10, -1, 3, -1]);
    expect(y.tolist()).toEqual([22, 0, 8, 0]);
  });

  it('shares a row-major ndarray-like view with an offset, and writes through views of the tensor', () => {
    const data = new Float32Array([9, 0, 1, 2, 3, 4, 5, 9]);
    const t = torch.fromNumpy({ data, shape: [2, 3], offset: 1 });
    expect(t.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
    column(t, 2).fill_(7);
    expect(Array.from(data)).toEqual([9, 0, 1, 7, 3, 4, 7, 9]);
    data[2] = -1;
    expect(t.tolist()).toEqual([[0, -1, 7], [3, 4, 7]]);
  });

  it('shares a transposed (column-major) layout as a non-contiguous view', () => {
    const data = new Int32Array([1, 2, 3, 4, 5, 6]); // [[1, 3, 5], [2, 4, 6]] in column-major order
    const t = torch.fromNumpy({ data, shape: [2, 3], stride: [1, 2] });
    expect(t.tolist()).toEqual([[1, 3, 5], [2, 4, 6]]);
    expect([t.isContiguous(), t.stride()]).toEqual([false, [1, 2]]);
    t.add_(100);
    expect(Array.from(data)).toEqual([101, 102, 103, 104, 105, 106]);
    data[1] = 0;
    expect(t.tolist()).toEqual([[101, 103, 105], [0, 104, 106]]);
    const u = torch.fromNumpy({ data, shape: [3, 1, 2], stride: [2, 17, 1] }); // size-1 axes may have any stride
    expect(u.tolist()).toEqual([[[101, 0]], [[103, 104]], [[105, 106]]]);
    u.zero_();
    expect(Array.from(data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('copies other strided layouts (documented: no sharing)', () => {
    const data = new Float64Array([1, 2, 3, 4, 5, 6]);
    const everyOther = torch.fromNumpy({ data, shape: [3], stride: [2] });
    const reversed = torch.fromNumpy({ data, shape: [3], stride: [-1], offset: 2 });
    expect(everyOther.tolist()).toEqual([1, 3, 5]);
    expect(reversed.tolist()).toEqual([3, 2, 1]);
    data[0] = 100;
    expect(everyOther.tolist()).toEqual([1, 3, 5]);
    expect(() => torch.fromNumpy({ data, shape: [4], stride: [2] })).toThrow(torch.IndexError);
    expect(torch.fromNumpy({ data, shape: [0, 3] }).shape).toEqual([0, 3]);
  });

  it('round-trips: numpy() of a fromNumpy tensor is the same memory', () => {
    const arr = new Float32Array([0.5, 1.5]);
    const nd = torch.fromNumpy(arr).numpy();
    expect(nd.data).toBe(arr);
    expect(nd.tolist()).toEqual([0.5, 1.5]);
  });
});

describe('memory shared with JS that JS takes away', () => {
  it('a transferred (detached) array is a DeviceError at the next computation, never a crash; before, values are right', () => {
    const arr = new Float32Array([1, 2, 3, 4]);
    const t = torch.fromNumpy(arr);
    expect(t.add(1).tolist()).toEqual([2, 3, 4, 5]);
    arr[0] = 10;
    expect(t.add(1).tolist()).toEqual([11, 3, 4, 5]);
    structuredClone(arr.buffer, { transfer: [arr.buffer] });
    expect(() => t.add(1).tolist()).toThrow(torch.DeviceError);
    expect(() => t.mul(2).sum().item()).toThrow(/detached/);
  });
});
