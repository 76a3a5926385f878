/**
 * Python's float formatting (`'{:.4f}'`, `'{:.4e}'`), exactly: the decimal digits of a double are rounded
 * half to even from its exact binary value. JavaScript's toFixed/toExponential round exact ties away from
 * zero (1.03125 -> '1.0313', Python '1.0312') and write exponents without padding ('e-5', Python 'e-05'),
 * so tensors would print differently from PyTorch. A double is m * 2^e with integer m, so BigInt arithmetic
 * gives the exact digits.
 */

/** |x| as an exact fraction num / den (den a power of two). x must be finite. */
function exactFraction(x: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biasedExp = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // Subnormals have no implicit leading bit and the exponent of the smallest normal.
  const mantissa = biasedExp === 0 ? fraction : fraction | (1n << 52n);
  const exp = (biasedExp === 0 ? 1 : biasedExp) - 1075;
  return exp >= 0 ? [mantissa << BigInt(exp), 1n] : [mantissa, 1n << BigInt(-exp)];
}

/** num / den rounded to an integer, ties to even. */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && q % 2n === 1n)) return q + 1n;
  return q;
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return null;
}

const sign = (x: number): string => (x < 0 || Object.is(x, -0) ? '-' : '');

/** Python's `'{:.{digits}f}'.format(x)`. */
export function formatFixed(x: number, digits: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const [num, den] = exactFraction(x);
  const s = roundHalfEven(num * 10n ** BigInt(digits), den)
    .toString()
    .padStart(digits + 1, '0');
  return sign(x) + (digits > 0 ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s);
}

/** Python's `'{:.{digits}e}'.format(x)`: one digit, `digits` decimals, an exponent of at least two digits. */
export function formatExponential(x: number, digits: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  let mantissa = 0n;
  let exp10 = 0;
  if (x !== 0) {
    const [num, den] = exactFraction(x);
    const lo = 10n ** BigInt(digits);
    const hi = lo * 10n;
    // Digits of x / 10^e10 rounded to `digits` decimals; e10 starts from an estimate and is corrected.
    const scaledAt = (e: number): bigint => {
      const shift = digits - e;
      return shift >= 0 ? roundHalfEven(num * 10n ** BigInt(shift), den) : roundHalfEven(num, den * 10n ** BigInt(-shift));
    };
    exp10 = Math.floor(Math.log10(Math.abs(x)));
    mantissa = scaledAt(exp10);
    while (mantissa >= hi) mantissa = scaledAt(++exp10);
    while (mantissa < lo) mantissa = scaledAt(--exp10);
  }
  const d = mantissa.toString().padStart(digits + 1, '0');
  const body = digits > 0 ? `${d[0]}.${d.slice(1)}` : d;
  const e = `${exp10 < 0 ? '-' : '+'}${String(Math.abs(exp10)).padStart(2, '0')}`;
  return `${sign(x)}${body}e${e}`;
}
