/** The C renderer: exact numbers, no user strings, the rand op bit-exact with the reference, round half even. */
import { describe, expect, test } from 'vitest';
import { build } from '../../src/ir/index.js';
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
    expect(Array.from(out).map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(['NaN', 'Infinity', '-Infinity', '0', String(Math.fround(0.1)), '3.4028234663852886e+38']);
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
    const got = cpu.execute([r32, r64]).map((b) => Array.from(b.host!));
    const want = interpret([r32, r64]).map((a) => Array.from(a));
    expect(got).toEqual(want);
  });
  test('round is half to even; floor division and remainder of floats follow the reference', () => {
    const xs = [0.5, 1.5, 2.5, -0.5, -1.5, 2.4999998, 3.5, -2.5];
    const x = build.buffer(cpu.fromHost('float32', Float32Array.from(xs)));
    const two = build.constant(2, 'float32', [8]);
    const neg3 = build.constant(-3, 'float32', [8]);
    const roots = [build.unary('round', x), build.binary('idiv', x, neg3), build.binary('mod', x, two), build.binary('mod', x, neg3)];
    const got = cpu.execute(roots).map((b) => Array.from(b.host!));
    const want = interpret(roots).map((a) => Array.from(a));
    expect(got).toEqual(want);
    expect(got[0]).toEqual([0, 2, 2, -0, -2, 2, 4, -2]);
  });
});
