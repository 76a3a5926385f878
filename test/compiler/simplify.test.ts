/** The simplifier: folding that rounds like the dtype stores, identities that keep every bit, CSE for free. */
import { describe, expect, test } from 'vitest';
import { build, type Node } from '../../src/ir/index.js';
import { simplify } from '../../src/compiler/simplify/index.js';
import { getDevice } from '../../src/runtime/index.js';

const c = (v: number, dtype: 'float32' | 'float64' | 'int32' | 'bool' = 'float32', shape: number[] = [3]): Node => build.constant(v, dtype, shape);
const buf = (dtype: 'float32' | 'int32' = 'float32'): Node =>
  build.buffer(getDevice('cpu').fromHost(dtype, dtype === 'float32' ? new Float32Array(3) : new Int32Array(3)));
const one = (n: Node): Node => simplify([n])[0]!;

describe('constant folding', () => {
  test('rounds to the dtype: float32 results are float32 values', () => {
    const r = one(build.binary('div', c(1), c(3)));
    expect(r.op).toBe('const');
    expect(r.arg).toBe(Math.fround(1 / 3));
    expect(one(build.binary('div', c(1, 'float64'), c(3, 'float64'))).arg).toBe(1 / 3);
    expect(one(build.unary('exp', c(1))).arg).toBe(Math.fround(Math.E));
  });
  test('int32 arithmetic wraps, floor division and Python remainder', () => {
    expect(one(build.binary('add', c(2147483647, 'int32'), c(1, 'int32'))).arg).toBe(-2147483648);
    expect(one(build.binary('idiv', c(-7, 'int32'), c(2, 'int32'))).arg).toBe(-4);
    expect(one(build.binary('mod', c(-7, 'int32'), c(2, 'int32'))).arg).toBe(1);
  });
  test('integer division by a zero constant is left for the kernel to raise', () => {
    expect(one(build.binary('idiv', c(7, 'int32'), c(0, 'int32'))).op).toBe('idiv');
  });
  test('comparisons and casts fold; where of a constant condition picks a side', () => {
    expect(one(build.binary('lt', c(1), c(2))).arg).toBe(1);
    const x = buf();
    const y = buf();
    expect(one(build.where(c(1, 'bool'), x, y))).toBe(x);
    expect(one(build.where(c(0, 'bool'), x, y))).toBe(y);
    expect(one(build.cast(build.binary('add', c(2.7), c(0.5)), 'int32')).arg).toBe(3);
  });
  test('folding cascades through a chain', () => {
    const r = one(build.unary('neg', build.binary('mul', build.binary('add', c(1), c(2)), c(4))));
    expect(r).toMatchObject({ op: 'const', arg: -12 });
  });
});

describe('identities', () => {
  test('x*1, 1*x, x/1, x-0, x+(-0) vanish', () => {
    const x = buf();
    for (const n of [build.binary('mul', x, c(1)), build.binary('mul', c(1), x), build.binary('div', x, c(1)), build.binary('sub', x, c(0)), build.binary('add', x, c(-0))]) {
      expect(one(n)).toBe(x);
    }
  });
  test('float x+0 and x*0 stay (they change -0 and NaN); int x+0 and x*0 fold', () => {
    const x = buf();
    expect(one(build.binary('add', x, c(0))).op).toBe('add');
    expect(one(build.binary('mul', x, c(0))).op).toBe('mul');
    const i = buf('int32');
    expect(one(build.binary('add', i, c(0, 'int32')))).toBe(i);
    expect(one(build.binary('mul', i, c(0, 'int32')))).toMatchObject({ op: 'const', arg: 0 });
  });
  test('neg(neg x), pow(x, 2) = x*x, max(x, x), detach, reductions over size-1 or empty axes', () => {
    const x = buf();
    expect(one(build.unary('neg', build.unary('neg', x)))).toBe(x);
    expect(one(build.binary('pow', x, c(2)))).toBe(build.binary('mul', x, x));
    expect(one(build.binary('max', x, x))).toBe(x);
    expect(one(build.unary('exp', build.detach(x)))).toBe(build.unary('exp', x));
    const r = build.reshape(x, [3, 1]);
    expect(one(build.reduce(r, 'sum', [1]))).toBe(r);
    const empty = build.constant(1, 'float32', [3, 0]);
    expect(one(build.reduce(build.unary('exp', empty), 'sum', [1]))).toMatchObject({ op: 'const', arg: 0 });
  });
  test('CSE: equal subgraphs built twice are one node', () => {
    const x = buf();
    const a = build.unary('exp', build.binary('mul', x, c(2)));
    const b = build.unary('exp', build.binary('mul', x, c(2)));
    expect(a).toBe(b);
    const [ra, rb] = simplify([build.binary('add', a, c(0, 'float32')), build.binary('add', b, c(0, 'float32'))]);
    expect(ra).toBe(rb);
  });
});
