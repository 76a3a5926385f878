/**
 * Input views (compiler/views.ts): a contiguous block of an input (xs[t], a narrow along the first axis) is
 * read by kernels as a buffer of its own, so the kernels of different blocks share one function.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { build } from '../../src/ir/index.js';
import { inputViews } from '../../src/compiler/views.js';
import { getDevice, interpret } from '../../src/runtime/index.js';
import { toposort } from '../../src/ir/index.js';
import { expectClose } from '../helpers.js';

const cpu = getDevice('cpu');

describe('blocks of inputs', () => {
  test('xs[t] for every t: the kernels of every step call one function, each on its own block', () => {
    const xs = torch.rand(24, 5, 7).realize();
    const w = torch.rand(7).realize();
    // y_t = softmax(y_{t-1} * w + xs[t]): row softmaxes, a few steps a kernel, each step reading its block.
    let y = torch.zeros(5, 7);
    for (let t = 0; t < 24; t++) y = y.mul(w).add(xs.select(0, t)).softmax(1);
    const ks = torch.ir.kernels(y);
    expect(ks.length).toBeGreaterThanOrEqual(6);
    // The first kernel (from zeros) and the last (the result) differ; those in between are one function.
    expect(new Set(ks.map((k) => k.function)).size).toBeLessThanOrEqual(3);
    const want = interpret([y.node], { float64: true })[0]!;
    expectClose(y.numpy().data, want, { rtol: 1e-5, atol: 1e-6 });
  });

  test('which views are blocks: slices of leading axes and reshapes of blocks, not strided or expanded views', () => {
    const x = build.buffer(cpu.fromHost('float32', new Float32Array(60)));
    const x3 = build.reshape(x, [3, 4, 5]);
    const row = build.slice(x3, [1, 0, 0], [1, 4, 5], [1, 1, 1]); // x3[1:2]: elements 20..39
    const flat = build.reshape(row, [20]);
    const inner = build.slice(x3, [1, 2, 0], [1, 2, 5], [1, 1, 1]); // x3[1, 2:4]: elements 30..39
    const strided = build.slice(x3, [0, 0, 1], [3, 4, 2], [1, 1, 1]); // a column range: not a block
    const perm = build.permute(row, [0, 2, 1]); // a transposed block: not row-major
    const roots = [flat, inner, strided, perm].map((n) => build.unary('neg', n));
    const views = inputViews(toposort(roots, (n) => n === x), (n) => n === x);
    const found = new Map(views.map((v) => [v.node, v.offset]));
    expect(found.get(row)).toBe(20);
    expect(found.get(flat)).toBe(20);
    expect(found.get(inner)).toBe(30);
    expect(found.has(strided)).toBe(false);
    expect(found.has(perm)).toBe(false);
    expect(found.has(x3)).toBe(false); // the whole input is not a view of it
  });

  test('a write into a buffer that reads a block of it (x[1:] = x[:-1]) sees the old values', () => {
    const x = torch.tensor([1, 2, 3, 4, 5, 6], { dtype: torch.float32 });
    x.realize();
    x.index('1:').copy_(x.index(':-1'));
    expect(Array.from(x.numpy().data as Float32Array)).toEqual([1, 1, 2, 3, 4, 5]);
    const y = torch.arange(12, { dtype: torch.float32 }).reshape(3, 4).realize();
    y.index('1:').copy_(y.index(':2').mul(10));
    expect(Array.from(y.numpy().data as Float32Array)).toEqual([0, 1, 2, 3, 0, 10, 20, 30, 40, 50, 60, 70]);
  });
});
