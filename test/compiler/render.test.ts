/** The C renderer: exact numbers, no user strings, the rand op bit-exact with the reference, round half even. */
import { describe, expect, test } from 'vitest';
import { build, IndexError } from '../../src/ir/index.js';
import { cLiteral, hexDouble } from '../../src/compiler/render/c/literals.js';
import { C_OPS } from '../../src/compiler/render/c/spellings.js';
import { getDevice, interpret, plannedKernels } from '../../src/runtime/index.js';
import { OP_NAMES, OPS } from '../../src/ir/ops.js';

const cpu = getDevice('cpu');

describe('numbers in C', () => {
  test('hex literals are exact', () => {
    for (const x of [1, -2.5, 0.1, Math.PI, 1e-310, 5e-324, 1.7976931348623157e308, -0]) {
      const h = hexDouble(x);
      const m = /^(-?)0x([01])(?:\.([0-9a-f]+))?p([+-]\d+)$/.exec(h)!;
      const mant = parseInt(m[2]! + (m[3] ?? ''), 16) / 16 ** (m[3]?.length ?? 0);
      const v = (m[1] ? -1 : 1) * mant * 2 ** Number(m[4]);
      expect(Object.is(v, x)).toBe(true);
    }
    expect(cLiteral(NaN, 'float32')).toBe('__builtin_nanf("")');
    expect(cLiteral(-Infinity, 'float64')).toBe('(-__builtin_inf())');
    expect(cLiteral(-2147483648, 'int32')).toBe('(-2147483647-1)');
  });
  test('every elementwise op of the op table has a C spelling', () => {
    const elementwise = OP_NAMES.filter((op) => ['unary', 'binary', 'compare', 'ternary'].includes(OPS[op].cat));
    for (const op of elementwise) expect(C_OPS[op], op).toBeTypeOf('function');
  });
  test('constants reach the kernel exactly (NaN, infinities, -0, float32 values)', () => {
    const x = build.buffer(cpu.fromHost('float32', new Float32Array(6)));
    const vals = [NaN, Infinity, -Infinity, -0, Math.fround(0.1), 3.4028234663852886e38];
    const consts = build.reshape(
      vals.map((v) => build.constant(v, 'float32', [1])).reduce((acc, c) => build.binary('add', build.pad(acc, [[0, 1]], 0), build.pad(c, [[acc.numel, 0]], 0))),
      [6],
    );
    const out = cpu.execute([build.binary('add', x, consts)])[0]!.host!;
    expect(Array.from((out) as ArrayLike<number | bigint>, Number).map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(['NaN', 'Infinity', '-Infinity', '0', String(Math.fround(0.1)), '3.4028234663852886e+38']);
  });
  test('generated code holds no names but generated ones', () => {
    const src = plannedKernels([build.unary('exp', build.buffer(cpu.fromHost('float32', new Float32Array(4))))])[0]!.source;
    const idents = new Set(src.match(/[A-Za-z_][A-Za-z0-9_]*/g));
    for (const id of idents) expect(id).toMatch(/^(int|float|double|long|unsigned|char|const|restrict|void|return|for|if|err|bufs|p\d+|t\d+|i\d+(_\d+)*|k\d+|k_[0-9a-f]{20}|graft_\w+|GRAFT_\w+|pragma|_Pragma|GCC|unroll|omp|parallel|simd|num_threads|schedule|static|reduction|collapse|x[0-9a-f]+p|f)$/);
  });
});

describe('semantics that must match the reference exactly', () => {
  test('rand on cpu equals the reference bit for bit (float32 and float64)', () => {
    const seed = build.buffer(cpu.fromHost('int32', Int32Array.of(12345, -7)));
    const r32 = build.rand(seed, 3, 'float32', [1000, 3]);
    const r64 = build.permute(build.rand(seed, 1, 'float64', [50, 20]), [1, 0]);
    const got = cpu.execute([r32, r64]).map((b) => Array.from((b.host!) as ArrayLike<number | bigint>, Number));
    const want = interpret([r32, r64]).map((a) => Array.from((a) as ArrayLike<number | bigint>, Number));
    expect(got).toEqual(want);
  });
  test('round is half to even; floor division and remainder of floats follow the reference', () => {
    const xs = [0.5, 1.5, 2.5, -0.5, -1.5, 2.4999998, 3.5, -2.5];
    const x = build.buffer(cpu.fromHost('float32', Float32Array.from(xs)));
    const two = build.constant(2, 'float32', [8]);
    const neg3 = build.constant(-3, 'float32', [8]);
    const roots = [build.unary('round', x), build.binary('idiv', x, neg3), build.binary('mod', x, two), build.binary('mod', x, neg3)];
    const got = cpu.execute(roots).map((b) => Array.from((b.host!) as ArrayLike<number | bigint>, Number));
    const want = interpret(roots).map((a) => Array.from((a) as ArrayLike<number | bigint>, Number));
    expect(got).toEqual(want);
    expect(got[0]).toEqual([0, 2, 2, -0, -2, 2, 4, -2]);
  });
});

describe('int64 in C: exact, and bit for bit the reference (bigints in interp)', () => {
  const i64 = (xs: bigint[], shape = [xs.length]) => build.buffer(cpu.fromHost('int64', BigInt64Array.from(xs)), shape);
  const same = (roots: ReturnType<typeof build.buffer>[]): bigint[][] => {
    const got = cpu.execute(roots).map((b) => Array.from(b.host as BigInt64Array));
    const want = interpret(roots).map((a) => Array.from(a as BigInt64Array));
    expect(got).toEqual(want);
    return got;
  };
  test('literals: any value, INT64_MIN without a negated out-of-range literal', () => {
    expect(cLiteral(-(2n ** 63n), 'int64')).toBe('(-9223372036854775807LL-1)');
    expect(cLiteral(2n ** 62n + 1n, 'int64')).toBe('4611686018427387905LL');
    const x = i64([0n, 1n]);
    const [r] = same([build.binary('add', x, build.constant(2n ** 62n + 1n, 'int64', [2]))]);
    expect(r).toEqual([2n ** 62n + 1n, 2n ** 62n + 2n]);
  });
  test('arithmetic wraps at 64 bits; floor division, remainder and powers as Python', () => {
    const a = i64([2n ** 63n - 1n, -(2n ** 63n), -7n, 7n, 3n, 2n ** 40n]);
    const b = i64([1n, -1n, 2n, -2n, 39n, 2n ** 30n]);
    const [add, sub, mul, idiv, mod] = same(['add', 'sub', 'mul', 'idiv', 'mod'].map((op) => build.binary(op as 'add', a, b)));
    expect(add).toEqual([-(2n ** 63n), -(2n ** 63n) - 1n + 2n ** 64n, -5n, 5n, 42n, 2n ** 40n + 2n ** 30n]);
    expect(sub[1]).toBe(-(2n ** 63n) + 1n);
    expect(mul[5]).toBe(0n); // 2^70 wraps to 0
    expect(idiv).toEqual([2n ** 63n - 1n, -(2n ** 63n), -4n, -4n, 0n, 2n ** 10n]);
    expect(mod).toEqual([0n, 0n, 1n, -1n, 3n, 0n]);
    const [p] = same([build.binary('pow', i64([3n, -2n]), i64([39n, 63n]))]);
    expect(p).toEqual([4052555153018976267n, -(2n ** 63n)]);
  });
  test('float64 -> int64 truncates, wraps modulo 2^64, NaN and infinities give 0', () => {
    const f = build.buffer(cpu.fromHost('float64', Float64Array.of(2.9, -2.9, 2 ** 63, -(2 ** 63), 1e19, -1e19, NaN, -Infinity, 2 ** 64 + 2 ** 12)));
    const [r] = same([build.cast(f, 'int64')]);
    expect(r).toEqual([2n, -2n, -(2n ** 63n), -(2n ** 63n), 10000000000000000000n - 2n ** 64n, 2n ** 64n - 10000000000000000000n, 0n, 0n, 4096n]);
  });
  test('reductions, prefix sums and scatters of int64', () => {
    const x = i64([2n ** 62n, 2n ** 62n, -5n, 2n ** 63n - 1n, -(2n ** 63n), 9n], [2, 3]);
    const [s, pr, mx, mn] = same([build.reduce(x, 'sum', [1]), build.reduce(x, 'prod', [0]), build.reduce(x, 'max', [1]), build.reduce(x, 'min', [0])]);
    expect(s).toEqual([2n ** 63n - 5n, 8n]);
    expect(mx).toEqual([2n ** 62n, 2n ** 63n - 1n]);
    expect(mn).toEqual([2n ** 62n, -(2n ** 63n), -5n]);
    expect(pr[2]).toBe(-45n);
    const [c] = same([build.cumsum(i64([2n ** 62n, 2n ** 62n, 1n]), 0)]);
    expect(c).toEqual([2n ** 62n, -(2n ** 63n), -(2n ** 63n) + 1n]);
    const [sc] = same([build.scatterAdd(i64([0n, 0n]), i64([1n, 1n, 0n]), i64([2n ** 62n, 2n ** 62n, 7n]), 0)]);
    expect(sc).toEqual([7n, -(2n ** 63n)]);
  });
  test('an int64 index is bounds-checked in 64 bits: 2^32 does not wrap to 0', () => {
    const g = build.gather(build.buffer(cpu.fromHost('float32', Float32Array.of(1, 2))), i64([2n ** 32n]), 0);
    expect(() => cpu.execute([g])).toThrow(IndexError);
    expect(() => cpu.execute([g])).toThrow(/index 4294967296 is out of bounds/);
    expect(() => interpret([g])).toThrow(IndexError);
  });
});
