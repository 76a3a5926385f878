/**
 * torch.ir.toJSON / fromJSON: a graph saved with the values it reads, loaded and computed, gives the values
 * the original computes (compared with the original's own result, realized separately); malformed files
 * are FormatErrors naming the field.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

type File = ReturnType<typeof torch.ir.toJSON>;
/** Through text, as a file would go. */
const roundTrip = (f: File): unknown => JSON.parse(JSON.stringify(f));

function expectSame(a: torch.Tensor, b: torch.Tensor): void {
  expect(b.dtype).toBe(a.dtype);
  expect(b.shape).toEqual(a.shape);
  expect(b.tolist()).toEqual(a.tolist());
}

describe('torch.ir.toJSON / fromJSON', () => {
  it('a graph saved, loaded and realized gives the same values (every dtype, several outputs)', () => {
    torch.manualSeed(1);
    const x = torch.randn(4, 5, { dtype: 'float64' });
    const w = torch.rand(5, 3);
    const idx = torch.tensor([3n, 0n, 2n]);
    const y = x.float().matmul(w).softmax(1); // reductions, broadcasts, a contraction
    const z = x.index(idx).sum(0).gt(0); // gather by int64 indices, a bool result
    const k = torch.arange(6, { dtype: 'int32' }).reshape(2, 3).flip(1).cumsum(1); // iota, flip, scan
    const p = torch.nn.functional.pad(w, [1, 2], { value: Number.NEGATIVE_INFINITY }); // pad values beyond JSON
    const json = roundTrip(torch.ir.toJSON([y, z, k, p]));
    const [y2, z2, k2, p2] = torch.ir.fromJSON(json);
    expectSame(y, y2!);
    expectSame(z, z2!);
    expectSame(k, k2!);
    expectSame(p, p2!);
  });

  it('keeps int64 values beyond 2^53 and reads the text form too', () => {
    const big = torch.tensor([2n ** 62n, -(2n ** 61n) - 3n]);
    const y = big.add(7n).mul(torch.tensor([1n, 2n]));
    const [y2] = torch.ir.fromJSON(JSON.stringify(torch.ir.toJSON(y)));
    expect(y2!.tolist()).toEqual([2n ** 62n + 7n, 2n * (-(2n ** 61n) - 3n + 7n)]);
  });

  it('saves the gradient graph of a training step', () => {
    torch.manualSeed(2);
    const net = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.Tanh(), new torch.nn.Linear(4, 2));
    const x = torch.randn(5, 3);
    const loss = net.call(x).pow(2).mean() as torch.Tensor;
    const grads = torch.autograd.grad(loss, net.parameters()) as torch.Tensor[];
    const loaded = torch.ir.fromJSON(roundTrip(torch.ir.toJSON(grads)));
    loaded.forEach((g, i) => expectSame(grads[i]!, g));
  });

  it('a computed tensor is saved as its values', () => {
    const t = torch.tensor([1.5, -2]).mul(2).realize();
    const f = torch.ir.toJSON(t);
    expect(f.nodes).toEqual([{ op: 'buffer', dtype: 'float32', shape: [2], srcs: [], arg: null }]);
    expect(torch.ir.fromJSON(roundTrip(f))[0]!.tolist()).toEqual([3, -4]);
  });

  describe('malformed files are FormatErrors naming the field', () => {
    const base = (): { version: unknown; nodes: { op: string; dtype: string; shape: number[]; srcs: number[]; arg: unknown }[]; inputs: number[]; outputs: number[]; data: string[] } =>
      roundTrip(torch.ir.toJSON(torch.tensor([[1, 2, 3]]).exp().add(1))) as never;
    const fails = (f: unknown, message: RegExp): void => {
      expect(() => torch.ir.fromJSON(f)).toThrow(torch.FormatError);
      expect(() => torch.ir.fromJSON(f)).toThrow(message);
    };

    it('the form: an unknown version, a wrong op, a missing field, not JSON at all', () => {
      fails({ ...base(), version: 2 }, /^graph JSON: version: unknown version 2 \(this graft reads version 1\)$/);
      fails({ ...base(), version: undefined }, /version: missing/);
      const op = base();
      op.nodes[1]!.op = 'exp2';
      fails(op, /^graph JSON: nodes\[1\]\.op: /);
      const shape = base();
      (shape.nodes[1] as { shape?: unknown }).shape = [1, -3];
      fails(shape, /nodes\[1\]\.shape\[1\]: /);
      fails('{"version": 1, ', /not JSON/);
      fails([1, 2], /expected an object/);
    });

    it('the rules of each op: shapes, dtypes, arguments, number of inputs', () => {
      const shapes = base();
      shapes.nodes[1]!.shape = [3, 1]; // exp of f32[1,3] cannot be [3,1]
      fails(shapes, /^graph JSON: nodes\[1\]\.shape: exp of its input gives shape \[1,3\], not \[3,1\]$/);
      const dtype = base();
      dtype.nodes[1]!.dtype = 'int32';
      fails(dtype, /nodes\[1\]\.dtype: exp of its input gives float32, not int32/);
      const arity = base();
      arity.nodes[1]!.srcs = [0, 0];
      fails(arity, /nodes\[1\]\.srcs: exp takes 1 input, got 2/);
      const arg = base();
      arg.nodes[1]!.arg = { axes: [0] };
      fails(arg, /nodes\[1\]\.arg: exp takes no argument/);
      const reduce = roundTrip(torch.ir.toJSON(torch.ones(2, 3).mul(torch.rand(2, 3)).sum(1))) as ReturnType<typeof base>;
      const r = reduce.nodes.findIndex((n) => n.op === 'reduce');
      reduce.nodes[r]!.arg = { op: 'sum', axes: [4] };
      fails(reduce, new RegExp(`nodes\\[${r}\\]\\.arg\\.axes: reduce axes \\(4\\) do not fit rank 2`));
      reduce.nodes[r]!.arg = { op: 'mean', axes: [1] };
      fails(reduce, new RegExp(`nodes\\[${r}\\]\\.arg\\.op: `));
    });

    it('cycles and nodes that read later nodes', () => {
      const f = {
        version: 1,
        nodes: [
          { op: 'buffer', dtype: 'float32', shape: [2], srcs: [], arg: null },
          { op: 'add', dtype: 'float32', shape: [2], srcs: [0, 2], arg: null },
          { op: 'neg', dtype: 'float32', shape: [2], srcs: [1], arg: null },
        ],
        inputs: [0],
        outputs: [2],
        data: [Buffer.from(new Float32Array([1, 2]).buffer).toString('base64')],
      };
      fails(f, /^graph JSON: nodes\[1\]\.srcs\[1\]: a cycle: 1 -> 2 -> 1 \(each node reads the next\)$/);
      const later = structuredClone(f);
      later.nodes[2]!.srcs = [0];
      fails(later, /nodes\[1\]\.srcs\[1\]: reads node 2, which comes later/);
      const self = structuredClone(f);
      self.nodes[2]!.srcs = [2];
      self.nodes[1]!.srcs = [0, 0];
      fails(self, /^graph JSON: nodes\[2\]\.srcs\[0\]: a cycle: node 2 reads itself$/);
      const missing = structuredClone(f);
      missing.nodes[1]!.srcs = [0, 9];
      fails(missing, /nodes\[1\]\.srcs\[1\]: reads node 9, but there are 3 nodes/);
    });

    it('inputs, outputs and data', () => {
      const short = base();
      short.data = [Buffer.from(new Float32Array([1, 2]).buffer).toString('base64')];
      fails(short, /^graph JSON: data\[0\]: 8 bytes for 3 elements of float32 \(12 bytes\)$/);
      const none = base();
      none.data = [];
      fails(none, /data: 0 entries for 1 inputs/);
      const junk = base();
      junk.data = ['%%%%'];
      fails(junk, /data\[0\]: not base64/);
      const notBuffer = base();
      notBuffer.inputs = [1];
      fails(notBuffer, /inputs\[0\]: /);
      const out = base();
      out.outputs = [7];
      fails(out, /outputs\[0\]: node 7 does not exist/);
    });
  });
});
