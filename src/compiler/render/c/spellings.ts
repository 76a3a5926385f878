/**
 * The C spelling of every elementwise op, in one table. Each entry maps C expressions of the arguments to
 * a C expression of the result, given the result dtype and the dtype of the (first) argument.
 *
 * Semantics follow src/ir/scalar-math.ts (the reference): int32 and int64 arithmetic wraps (computed in the
 * unsigned type of the same width, where C's signed overflow would be undefined), `idiv` is floor division and `mod` Python's remainder (sign of
 * the divisor), `round` is half to even, max/min propagate NaN. Float32 transcendental functions are graft's
 * own vectorizable implementations (math.ts); float64 ones call the C library.
 */
import type { DType } from '../../../ir/dtype.js';

/** The C type storing a dtype. */
export const CTYPE: Record<DType, string> = {
  bool: 'unsigned char',
  int32: 'int',
  int64: 'int64_t',
  float32: 'float',
  float64: 'double',
  // The narrow dtypes are storage only: simplify's `widen` computes every op in float32 / int32 and casts
  // back, so the C of a narrow value is a load, a store, a literal or a cast.
  float16: 'uint16_t',
  bfloat16: 'uint16_t',
  uint8: 'uint8_t',
  int8: 'int8_t',
  int16: 'int16_t',
};

/** Per integer dtype: the unsigned type its wrapping arithmetic runs in, and the suffix of its prelude helpers. */
export const CINT: Partial<Record<DType, { readonly unsigned: string; readonly fn: string }>> = {
  int32: { unsigned: 'unsigned', fn: 'i' },
  int64: { unsigned: 'uint64_t', fn: 'l' },
};

type Spell = (a: readonly string[], out: DType, src: DType) => string;

const isF = (d: DType): boolean => d === 'float32' || d === 'float64';
const f = (name: string): Spell => (a, _o, s) => (s === 'float32' ? `graft_${name}f(${a[0]})` : `${name}(${a[0]})`);
/** Functions the compiler inlines as instructions in both precisions (sqrtf, floorf, rintf, ...). */
const libm = (name: string): Spell => (a, _o, s) => (s === 'float32' ? `${name}f(${a[0]})` : `${name}(${a[0]})`);
const intIdentity = (fl: Spell): Spell => (a, o, s) => (isF(s) ? fl(a, o, s) : a[0]!);
const wrap = (op: string): Spell => (a, o) => {
  const u = CINT[o]?.unsigned;
  return u ? `(${CTYPE[o]})((${u})(${a[0]}) ${op} (${u})(${a[1]}))` : `(${a[0]} ${op} ${a[1]})`;
};
/** An integer helper of the prelude (graft_idiv for int32, graft_ldiv for int64). */
const intFn = (name: string, a: readonly string[], o: DType): string => `graft_${CINT[o]!.fn}${name}(${a.join(', ')})`;
const cmp = (op: string): Spell => (a) => `(unsigned char)(${a[0]} ${op} ${a[1]})`;

export const C_OPS: Record<string, Spell> = {
  neg: (a, o) => (CINT[o] ? `(${CTYPE[o]})((${CINT[o].unsigned})0 - (${CINT[o].unsigned})(${a[0]}))` : `(-${a[0]})`),
  abs: (a, o) => (CINT[o] ? intFn('abs', a, o) : o === 'float32' ? `fabsf(${a[0]})` : o === 'bool' ? a[0]! : `fabs(${a[0]})`),
  sign: (a, o) => (isF(o) ? `graft_sign_${o === 'float32' ? 'f' : 'd'}(${a[0]})` : `(${CTYPE[o]})((${a[0]} > 0) - (${a[0]} < 0))`),
  not: (a) => `(unsigned char)(${a[0]} == 0)`,
  exp: f('exp'),
  log: f('log'),
  sin: f('sin'),
  cos: f('cos'),
  tanh: f('tanh'),
  erf: f('erf'),
  sqrt: libm('sqrt'),
  recip: (a, o) => `(${o === 'float32' ? '1.0f' : '1.0'} / ${a[0]})`,
  floor: intIdentity(libm('floor')),
  ceil: intIdentity(libm('ceil')),
  round: intIdentity(libm('rint')),
  trunc: intIdentity(libm('trunc')),
  cast: (a, o, s) => castC(a[0]!, o, s),
  add: (a, o) => (o === 'bool' ? `(unsigned char)(${a[0]} | ${a[1]})` : wrap('+')(a, o, o)),
  sub: wrap('-'),
  mul: (a, o) => (o === 'bool' ? `(unsigned char)(${a[0]} & ${a[1]})` : wrap('*')(a, o, o)),
  div: (a) => `(${a[0]} / ${a[1]})`,
  idiv: (a, o) =>
    o === 'float32' ? `(float)floor((double)(${a[0]}) / (double)(${a[1]}))` : o === 'float64' ? `floor(${a[0]} / ${a[1]})` : intFn('div', a, o),
  mod: (a, o) => (o === 'float32' ? `graft_fmod_f(${a[0]}, ${a[1]})` : o === 'float64' ? `graft_fmod_d(${a[0]}, ${a[1]})` : intFn('mod', a, o)),
  pow: (a, o) => (o === 'float32' ? `(float)pow((double)(${a[0]}), (double)(${a[1]}))` : o === 'float64' ? `pow(${a[0]}, ${a[1]})` : intFn('pow', a, o)),
  max: (a, o) => (isF(o) ? `graft_max_${o === 'float32' ? 'f' : 'd'}(${a[0]}, ${a[1]})` : `(${a[0]} > ${a[1]} ? ${a[0]} : ${a[1]})`),
  min: (a, o) => (isF(o) ? `graft_min_${o === 'float32' ? 'f' : 'd'}(${a[0]}, ${a[1]})` : `(${a[0]} < ${a[1]} ? ${a[0]} : ${a[1]})`),
  and: (a, o) => `(${CTYPE[o]})(${a[0]} & ${a[1]})`,
  or: (a, o) => `(${CTYPE[o]})(${a[0]} | ${a[1]})`,
  xor: (a, o) => `(${CTYPE[o]})(${a[0]} ^ ${a[1]})`,
  lt: cmp('<'),
  le: cmp('<='),
  gt: cmp('>'),
  ge: cmp('>='),
  eq: cmp('=='),
  ne: cmp('!='),
  where: (a) => `(${a[0]} ? ${a[1]} : ${a[2]})`,
};

const HALF_FROM: Partial<Record<DType, string>> = { float16: 'graft_h2f', bfloat16: 'graft_bf2f' };
const HALF_TO: Partial<Record<DType, string>> = { float16: 'graft_f2h', bfloat16: 'graft_f2bf' };
const NARROW: Partial<Record<DType, true>> = { uint8: true, int8: true, int16: true };

/**
 * A C cast between dtypes, as src/ir/scalar.ts's castScalar: to bool nonzero is 1; float to int32/int64
 * truncates and wraps; float to uint8/int8/int16 truncates to int32 (0 outside its range) and wraps; half
 * floats are decoded to float first and encoded from float (a double rounds to float first, as PyTorch).
 */
function castC(x: string, o: DType, s: DType): string {
  const from = HALF_FROM[s];
  if (from) return o === 'float32' ? `${from}(${x})` : castC(`${from}(${x})`, o, 'float32');
  if (o === 'bool') return `(unsigned char)(${x} != 0)`;
  const to = HALF_TO[o];
  if (to) return `${to}(${s === 'float32' ? x : `(float)(${x})`})`;
  if (NARROW[o]) return isF(s) ? `(${CTYPE[o]})graft_f2n((double)(${x}))` : `(${CTYPE[o]})(${x})`;
  if (CINT[o] && isF(s)) return `graft_f2${CINT[o].fn}((double)(${x}))`;
  return `(${CTYPE[o]})(${x})`;
}

/**
 * Ops that can fail on integer operands, with the error bit they set when `cond` (a C expression of the
 * arguments) holds: 2 = integer division by zero, 4 = integer to a negative power.
 */
export const C_ERRORS: Record<string, { bit: number; cond: (a: readonly string[]) => string }> = {
  idiv: { bit: 2, cond: (a) => `${a[1]} == 0` },
  mod: { bit: 2, cond: (a) => `${a[1]} == 0` },
  pow: { bit: 4, cond: (a) => `(${a[1]} < 0 && ${a[0]} != 1 && ${a[0]} != -1)` },
};
