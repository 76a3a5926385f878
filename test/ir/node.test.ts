import { describe, expect, it } from 'vitest';
import { broadcastShapes, build, ShapeError, structuralKey, Node, nextBuildEpoch } from '../../src/ir/index.js';
import { countLiveObjects } from '../../src/runtime/index.js';

const liveNodeCount = (): number => countLiveObjects(Node.prototype);
import { Buffer } from '../../src/runtime/index.js';

describe('hash-consing', () => {
  it('building an equal node twice returns the same object', () => {
    const a = new Buffer('interp', 'float32', 6, new Float32Array(6));
    const x = build.buffer(a, [2, 3]);
    const e1 = build.unary('exp', build.binary('add', x, build.constant(1, 'float32', [2, 3])));
    const e2 = build.unary('exp', build.binary('add', build.buffer(a, [2, 3]), build.constant(1, 'float32', [2, 3])));
    expect(e1).toBe(e2);
    expect(build.unary('exp', x)).not.toBe(build.unary('log', x));
  });
  it('distinguishes NaN, -0 and 0 constants', () => {
    expect(build.constant(0, 'float32')).not.toBe(build.constant(-0, 'float32'));
    expect(build.constant(NaN, 'float32')).toBe(build.constant(NaN, 'float32'));
  });
  it('free rewrites: identity movements vanish, reshape of reshape folds, movements of constants are constants', () => {
    const a = new Buffer('interp', 'float32', 6, new Float32Array(6));
    const x = build.buffer(a, [2, 3]);
    expect(build.reshape(x, [2, 3])).toBe(x);
    expect(build.permute(x, [0, 1])).toBe(x);
    expect(build.reshape(build.reshape(x, [3, 2]), [6])).toBe(build.reshape(x, [6]));
    expect(build.permute(build.permute(x, [1, 0]), [1, 0])).toBe(x);
    expect(build.expand(build.constant(2, 'float32', [1, 3]), [4, 3]).op).toBe('const');
  });
  it('structural keys ignore which buffers a graph reads but not how it reads them', () => {
    const mk = (): Buffer => new Buffer('interp', 'float32', 3, new Float32Array(3));
    const [p, q, r] = [mk(), mk(), mk()];
    const f = (u: Buffer, v: Buffer) => build.binary('mul', build.buffer(u), build.buffer(v));
    expect(structuralKey([f(p, q)]).key).toBe(structuralKey([f(q, r)]).key);
    expect(structuralKey([f(p, p)]).key).not.toBe(structuralKey([f(p, q)]).key);
  });
  it('constants of structure are one node across epochs, data constants only within one; no reader list survives', () => {
    const one = build.constant(1, 'float32', [3]);
    const lr = build.constant(0.37, 'float32', [3]);
    const b = build.buffer(new Buffer('interp', 'float32', 3, new Float32Array(3)));
    const reader = build.binary('sub', one, b); // `one` is the first input: it holds the reader list
    expect(build.binary('sub', one, b)).toBe(reader);
    expect(build.constant(0.37, 'float32', [3])).toBe(lr);
    nextBuildEpoch();
    expect(build.constant(1, 'float32', [3])).toBe(one);
    expect(build.constant(0.37, 'float32', [3])).not.toBe(lr);
    // The reader of the last epoch is not found again (nor kept alive by `one`).
    expect(build.binary('sub', one, b)).not.toBe(reader);
  });
  it('dead nodes leave the table once their build epoch is over (realizations start new epochs)', async () => {
    const before = liveNodeCount();
    (() => {
      const a = new Buffer('interp', 'float32', 3, new Float32Array(3));
      let n = build.buffer(a);
      for (let i = 0; i < 1000; i++) n = build.binary('add', n, build.constant(i, 'float32', [3]));
    })();
    // Constants are kept by the table until the epoch ends (a realization): then every dead node goes.
    nextBuildEpoch();
    expect(liveNodeCount()).toBeLessThan(before + 100);
  });
  it('a synchronous loop does not keep the graphs (and buffers) of its earlier iterations alive', () => {
    // The table holds no WeakRef to a node with inputs: a WeakRef would keep its target, and through it
    // every input buffer, until the current JS job ends, which a training loop written as one synchronous
    // loop never reaches. Within one job, a GC must free the buffers of iterations that are over.
    const gc = (globalThis as { gc?: () => void }).gc!;
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const w = build.buffer(new Buffer('interp', 'float32', 1 << 18, new Float32Array(1 << 18)));
    for (let i = 0; i < 64; i++) {
      const x = build.buffer(new Buffer('interp', 'float32', 1 << 18, new Float32Array(1 << 18))); // 1 MiB
      build.reduce(build.binary('mul', build.unary('exp', x), w), 'sum', [0]);
    }
    for (let i = 0; i < 4; i++) gc(); // array buffer memory is released over a few collections
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });
});

describe('broadcasting (PyTorch rules)', () => {
  const ok: [number[], number[], number[]][] = [
    [[5, 3], [5, 3], [5, 3]],
    [[5, 3], [3], [5, 3]],
    [[5, 1], [1, 3], [5, 3]],
    [[1], [4, 2, 3], [4, 2, 3]],
    [[], [2, 2], [2, 2]],
    [[2, 1, 4], [3, 1], [2, 3, 4]],
    [[0, 3], [1, 3], [0, 3]],
  ];
  it.each(ok)('%j with %j gives %j', (a, b, want) => {
    expect(broadcastShapes(a, b)).toEqual(want);
    expect(broadcastShapes(b, a)).toEqual(want);
  });
  it("raises PyTorch's message for incompatible shapes", () => {
    expect(() => broadcastShapes([2, 3], [2, 4])).toThrow(ShapeError);
    expect(() => broadcastShapes([2, 3], [2, 4])).toThrow('The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1');
    expect(() => broadcastShapes([0, 3], [2, 3])).toThrow('The size of tensor a (0) must match the size of tensor b (2) at non-singleton dimension 0');
  });
});

describe('unfold', () => {
  it('makes sliding windows like torch.Tensor.unfold', async () => {
    const { interpret } = await import('../../src/runtime/index.js');
    const a = new Buffer('interp', 'float32', 14, Float32Array.from({ length: 14 }, (_, i) => i));
    const x = build.buffer(a, [2, 7]);
    const w = build.unfold(x, 1, 3, 2); // windows of 3, step 2: [2, 3, 3]
    expect(w.shape).toEqual([2, 3, 3]);
    const [v] = interpret([w]);
    // torch.arange(14.).reshape(2, 7).unfold(1, 3, 2)
    expect(Array.from((v!) as ArrayLike<number | bigint>, Number)).toEqual([0, 1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 9, 10, 11, 11, 12, 13]);
    const u0 = build.unfold(x, 0, 2, 1); // [1, 7, 2]
    expect(Array.from((interpret([u0])[0]!) as ArrayLike<number | bigint>, Number)).toEqual(Array.from({ length: 7 }, (_, j) => [j, 7 + j]).flat());
  });
});
