/**
 * Float32 transcendental functions for generated kernels, written as straight-line arithmetic so that the C
 * compiler vectorizes loops calling them (no libm calls, no branches: both sides of a choice are computed
 * and one selected). Each computes in double precision and rounds once to float, so results are within
 * 1 ulp (usually correctly rounded) over the whole float range: test/compiler/math.test.ts checks them
 * against the float64 reference, including NaN, infinities, denormals and huge arguments.
 *
 * - exp: 2^n * e^r with r = x - n ln2, |r| <= ln2/2; e^r a near-minimax polynomial of degree 6 in float
 *   arithmetic (scripts/exp-coefficients.mjs); 2^n built from bits. (graft_exp_core, the double helper of tanh
 *   and erf: Taylor degree 11.)
 * - log: x = 2^e * m, m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m-1)/(m+1), odd series in s.
 * - sin, cos: exact argument reduction for every float: x = M * 2^E (M a 24-bit integer), and 2^E mod 2pi
 *   comes from a table (TWO_E_MOD_2PI, computed here with exact integer arithmetic from 576 bits of pi), so
 *   x mod 2pi = M * (2^E mod 2pi) mod 2pi; then Cody-Waite reduction by pi/2 in three parts and Taylor
 *   polynomials on [-pi/4, pi/4].
 * - tanh: odd Taylor series for |x| < 1/16, else 1 - 2/(e^{2|x|} + 1).
 * - erf: Taylor series for |x| < 1; on [1, 4], 1 - e^{-x^2} g(x) with g = erfc(x) e^{x^2} a Chebyshev
 *   series (coefficients from scripts/erf-coefficients.mjs); +-1 beyond 4.
 * Float64 kernels call the C library (correctly rounded or within 1 ulp, not vectorized).
 */
import { hexDouble } from './literals.js';

const lit = (x: number): string => hexDouble(x);
/** A float literal of the float nearest x. */
const flit = (x: number): string => `${hexDouble(Math.fround(x))}f`;

/** 1/k! as the nearest double. */
function invFactorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return 1 / f;
}

/** Horner's scheme text for sum_i c[i] * v^i. */
function horner(v: string, c: readonly number[]): string {
  let s = lit(c[c.length - 1]!);
  for (let i = c.length - 2; i >= 0; i--) s = `(${lit(c[i]!)} + ${v} * ${s})`;
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// pi to 576 bits (the hexadecimal digits of pi, as in Blowfish's initial P-array), for exact reductions.

const PI_HEX =
  '3243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89452821E638D01377BE5466CF34E90C6CC0AC29B7C97C50DD3F84D5B5B5470917';
const PI_BITS = (PI_HEX.length - 1) * 4;
/** pi * 2^PI_BITS as an integer. */
const PI_FIX = BigInt('0x' + PI_HEX);

/** floor(v * 2^-shift) for a fixed-point BigInt, as a double (exact when it fits 53 bits). */
const fixToDouble = (v: bigint, fracBits: number): number => {
  // v / 2^fracBits, rounded to nearest double
  const neg = v < 0n;
  let a = neg ? -v : v;
  let e = -fracBits;
  const bits = a.toString(2).length;
  if (bits > 60) {
    const drop = bits - 60;
    a = (a + (1n << BigInt(drop - 1))) >> BigInt(drop);
    e += drop;
  }
  const d = Number(a) * 2 ** e;
  return neg ? -d : d;
};

/** Split a fixed-point value (fracBits fractional bits) into a + b + c: a and b cut at 2^-cutA, 2^-cutB. */
function split3(v: bigint, fracBits: number, cutA: number, cutB: number): [number, number, number] {
  const a = (v >> BigInt(fracBits - cutA)) << BigInt(fracBits - cutA);
  const rest = v - a;
  const b = (rest >> BigInt(fracBits - cutB)) << BigInt(fracBits - cutB);
  return [fixToDouble(a, fracBits), fixToDouble(b, fracBits), fixToDouble(rest - b, fracBits)];
}

/** pi/2 = P1 + P2 + P3: P1, P2 short enough that n * P1 and n * P2 are exact for n < 2^27. */
const PIO2 = split3(PI_FIX, PI_BITS + 1, 24, 48);

/**
 * TWO_E_MOD_2PI[E + 149] = 2^E mod 2pi as T1 + T2 + T3 (T1, T2 with 24 and 51 fractional bits, so M * T1 and
 * M * T2 are exact for a 24-bit M), for the exponents E of float values (x = M * 2^E, E in [-149, 104]).
 */
const TWO_E_MOD_2PI: [number, number, number][] = (() => {
  const out: [number, number, number][] = [];
  const twoPi = PI_FIX << 1n; // 2pi * 2^PI_BITS
  for (let E = -149; E <= 104; E++) {
    if (E <= 2) {
      out.push([2 ** E, 0, 0]);
      continue;
    }
    const t = (1n << BigInt(E + PI_BITS)) % twoPi; // (2^E mod 2pi) * 2^PI_BITS
    out.push(split3(t, PI_BITS, 24, 51));
  }
  return out;
})();

/** Chebyshev coefficients of erfc(x) e^{x^2} on [1, 4] in t = (2x - 5)/3 (scripts/erf-coefficients.mjs). */
const ERF_CHEB = [
  0.24442575284923576, -0.13589862891594595, 0.03563511414853496, -0.008884098618222449, 0.0021184239975531338,
  -0.0004853987640799848, 0.00010727375453766415, -0.000022936634481877938, 0.000004756874691492126,
  -9.589944833706305e-7, 1.8829006881437849e-7, -3.6063206497460865e-8, 6.747602088186255e-9, -1.234906929029981e-9,
  2.2131487152169763e-10, -3.8879339562628936e-11, 6.701451893409427e-12, -1.1342940475778107e-12,
];

function clenshaw(t: string, c: readonly number[]): string {
  const lines = ['double b1 = 0.0, b2 = 0.0, bt;'];
  for (let k = c.length - 1; k >= 1; k--) lines.push(`bt = 2.0 * ${t} * b1 - b2 + ${lit(c[k]!)}; b2 = b1; b1 = bt;`);
  lines.push(`const double cheb = ${t} * b1 - b2 + ${lit(c[0]!)};`);
  return lines.join('\n  ');
}

const expTaylor = Array.from({ length: 12 }, (_, k) => invFactorial(k));
/** ln2 = LN2_HI + LN2_LO: the float nearest ln2 and the float nearest the rest. */
const LN2_HI = Math.fround(Math.LN2);
const LN2_LO = Math.fround(Math.LN2 - LN2_HI);
/** Q of e^r ~ 1 + r + r^2 Q(r) on [-ln2/2, ln2/2], as printed by scripts/exp-coefficients.mjs (float32). */
const EXP_Q = [0.49999994, 0.166665211, 0.041668389, 0.00836871006, 0.00138146128];
// sin r = r + r^3 * S(r^2), cos r = 1 - r^2/2 + r^4 * C(r^2)
const sinTail = Array.from({ length: 6 }, (_, i) => ((i % 2 === 0 ? -1 : 1) * invFactorial(2 * i + 3)));
const cosTail = Array.from({ length: 6 }, (_, i) => ((i % 2 === 0 ? 1 : -1) * invFactorial(2 * i + 4)));
// log(1+f) = 2 atanh(s) = 2s + 2s^3/3 + ... : L(z) = sum 2/(2k+1) z^k, z = s^2
const logSeries = Array.from({ length: 9 }, (_, k) => 2 / (2 * k + 1));
// tanh x = x + x^3 * T(x^2) for small x
const tanhTail = [-1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925];
// erf x = 2/sqrt(pi) * x * sum (-1)^n x^{2n} / (n! (2n+1))
const erfSeries = Array.from({ length: 15 }, (_, n) => ((n % 2 === 0 ? 1 : -1) * invFactorial(n)) / (2 * n + 1));

const table = TWO_E_MOD_2PI.map((r) => `{${r.map(lit).join(', ')}}`).join(',\n  ');

export const MATH_C = `
typedef union { double d; int64_t i; uint64_t u; } graft_d64;
typedef union { float f; int32_t i; uint32_t u; } graft_f32;

/* e^x in double for x in [-745, 709] (the callers clamp), relative error ~1e-15. NaN stays NaN. */
static inline double graft_exp_core(double x) {
  const double kd = x * ${lit(Math.LOG2E)};
  graft_d64 t; t.d = kd + 0x1.8p52;
  const double n = t.d - 0x1.8p52;
  const double r = (x - n * ${lit(0.6931471803691238)}) - n * ${lit(1.9082149292705877e-10)};
  const double p = ${horner('r', expTaylor)};
  graft_d64 s; s.u = (uint64_t)(t.i - 0x4338000000000000LL + 1023) << 52;
  return p * s.d;
}
/* e^x in float arithmetic (the hot path of softmax, cross entropy, sigmoid): 2^n * p(r), r = x - n ln2 by
   Cody-Waite (ln2 = hi + lo, hi the float nearest ln2: with an FMA, x - n*hi is exact), p(r) = 1 + r + r^2 Q(r)
   with Q of degree 4 near-minimax (scripts/exp-coefficients.mjs), the scaling by 2^n in two steps so that
   results in the denormal range round once. Within 1 ulp of the correctly rounded result for every float
   (checked exhaustively). |x| is clamped to 104 first: beyond it e^x overflows to inf or underflows to 0
   anyway, and n stays in [-150, 150] (NaN passes the clamp and stays NaN). Clamping the input, rather than
   selecting the result, keeps the dependency chain short: on CPUs with a small out-of-order window the
   vectorized loop is bound by latency, not by the number of operations. */
static inline float graft_expf(float xin) {
  graft_f32 b; b.f = xin;
  graft_f32 a; a.u = b.u & 0x7fffffffu;
  graft_f32 c; c.f = a.f > 104.0f ? 104.0f : a.f;
  c.u |= b.u & 0x80000000u;
  const float x = c.f;
  /* n = round(x log2 e) by the magic-number trick: the low mantissa bits of t hold n. */
  graft_f32 t; t.f = fmaf(x, ${flit(Math.LOG2E)}, 0x1.8p23f);
  const float n = t.f - 0x1.8p23f;
  const int32_t ni = t.i - 0x4b400000;
  float r = fmaf(n, ${flit(-LN2_HI)}, x);
  r = fmaf(n, ${flit(-LN2_LO)}, r);
  float q = ${flit(EXP_Q[4]!)};
  q = fmaf(q, r, ${flit(EXP_Q[3]!)});
  q = fmaf(q, r, ${flit(EXP_Q[2]!)});
  q = fmaf(q, r, ${flit(EXP_Q[1]!)});
  q = fmaf(q, r, ${flit(EXP_Q[0]!)});
  const float p = fmaf(q, r * r, r) + 1.0f;
  const int32_t n1 = ni >> 1, n2 = ni - n1;
  graft_f32 s1, s2; s1.u = (uint32_t)(n1 + 127) << 23; s2.u = (uint32_t)(n2 + 127) << 23;
  return p * s1.f * s2.f;
}

static inline float graft_logf(float xf) {
  const double x = xf;
  graft_d64 b; b.d = x;
  int64_t e = (int64_t)(b.u >> 52) - 1023;
  graft_d64 mb; mb.u = (b.u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
  const int64_t big = mb.d > ${lit(Math.SQRT2)};
  const double m = big ? mb.d * 0.5 : mb.d;
  e += big;
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double r = (double)e * ${lit(Math.LN2)} + s * ${horner('z', logSeries)};
  const double special = x == 0.0 ? -__builtin_inf() : (x == __builtin_inf() ? x : __builtin_nan(""));
  return (float)((x > 0.0 && x < __builtin_inf()) ? r : special);
}

static const double graft_two_e_mod_2pi[${TWO_E_MOD_2PI.length}][3] = {
  ${table}
};

/* x mod pi/2 for a float x: returns r in about [-pi/4, pi/4] and the quadrant in *q. */
static inline double graft_reduce_f(float xf, int64_t *q) {
  graft_f32 b; b.f = xf;
  const uint32_t ef = (b.u >> 23) & 0xff;
  const uint32_t mant = b.u & 0x7fffff;
  const double M = (double)(ef == 0 ? mant : (mant | 0x800000));
  const int32_t idx = ef == 0 ? 0 : (ef > 254 ? 253 : (int32_t)ef - 1);
  const double *T = graft_two_e_mod_2pi[idx];
  const double s1 = M * T[0], s2 = M * T[1], s3 = M * T[2];
  graft_d64 t; t.d = (s1 + s2) * ${lit(2 / Math.PI)} + 0x1.8p52;
  const double n = t.d - 0x1.8p52;
  *q = t.i;
  return ((s1 - n * ${lit(PIO2[0])}) + (s2 - n * ${lit(PIO2[1])})) + (s3 - n * ${lit(PIO2[2])});
}
static inline double graft_sin_poly(double r) { const double z = r * r; return r + r * z * ${horner('z', sinTail)}; }
static inline double graft_cos_poly(double r) { const double z = r * r; return 1.0 - 0.5 * z + z * z * ${horner('z', cosTail)}; }
static inline float graft_sinf(float x) {
  int64_t q; const double r = graft_reduce_f(fabsf(x), &q);
  const double s = graft_sin_poly(r), c = graft_cos_poly(r);
  const double v = (q & 1) ? c : s;
  const double w = (q & 2) ? -v : v;
  const float res = (float)(x < 0 ? -w : w);
  return (x - x == 0.0f) ? res : __builtin_nanf("");
}
static inline float graft_cosf(float x) {
  int64_t q; const double r = graft_reduce_f(fabsf(x), &q);
  const double s = graft_sin_poly(r), c = graft_cos_poly(r);
  const double v = (q & 1) ? -s : c;
  const double w = (q & 2) ? -v : v;
  return (x - x == 0.0f) ? (float)w : __builtin_nanf("");
}

static inline float graft_tanhf(float xf) {
  const double x = xf;
  const double ax = fabs(x) > 10.0 ? 10.0 : fabs(x);
  const double e = graft_exp_core(2.0 * ax);
  const double big = 1.0 - 2.0 / (e + 1.0);
  const double z = x * x;
  const double small = x + x * z * ${horner('z', tanhTail)};
  const double r = ax < 0.0625 ? small : (x < 0 ? -big : big);
  return (float)(x == x ? r : x);
}

static inline float graft_erff(float xf) {
  const double x = xf;
  const double ax = fabs(x) > 4.0 ? 4.0 : fabs(x);
  const double z = x * x;
  const double small = ${lit(2 / Math.sqrt(Math.PI))} * x * ${horner('z', erfSeries)};
  const double t = (2.0 * ax - 5.0) * ${lit(1 / 3)};
  ${clenshaw('t', ERF_CHEB)}
  const double big = 1.0 - graft_exp_core(-ax * ax) * cheb;
  const double r = ax < 1.0 ? small : (x < 0 ? -big : big);
  return (float)(x == x ? r : x);
}
`;
