/**
 * Numbers in generated C: exact, whatever the value. Floats are hexadecimal literals (exact round trip),
 * NaN and infinities are builtins, INT_MIN and INT64_MIN are written so that they are not negated out-of-range
 * literals. int64 values are bigints (exact beyond 2^53).
 */
import type { DType } from '../../../ir/dtype.js';
import { bfloat16Bits, float16Bits } from '../../../ir/half.js';
import type { Scalar } from '../../../ir/scalar.js';

/** The exact hexadecimal form of a double: 0x1.8p+1, -0x0p+0, 0x0.0000000000001p-1022. */
export function hexDouble(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? '-' : '';
  const exp = (hi >>> 20) & 0x7ff;
  const mant = ((hi & 0xfffff).toString(16).padStart(5, '0') + lo.toString(16).padStart(8, '0')).replace(/0+$/, '');
  if (exp === 0) {
    if (mant === '') return `${sign}0x0p+0`;
    return `${sign}0x0.${mant}p-1022`;
  }
  const e = exp - 1023;
  return `${sign}0x1${mant ? '.' + mant : ''}p${e >= 0 ? '+' : ''}${e}`;
}

/** A C expression of the given dtype with exactly the value x (already representable in that dtype). */
export function cLiteral(x: Scalar, dtype: DType): string {
  if (typeof x === 'bigint') {
    if (dtype !== 'int64') throw new Error(`internal: a bigint literal of ${dtype}`);
    return x === -(2n ** 63n) ? '(-9223372036854775807LL-1)' : `${x}LL`;
  }
  switch (dtype) {
    case 'bool':
      return x ? '1' : '0';
    case 'int64':
      throw new Error('internal: an int64 literal must be a bigint');
    case 'int32':
      return x === -2147483648 ? '(-2147483647-1)' : String(x | 0);
    case 'float32':
      if (Number.isNaN(x)) return '__builtin_nanf("")';
      if (!Number.isFinite(x)) return x > 0 ? '__builtin_inff()' : '(-__builtin_inff())';
      return `${hexDouble(x)}f`;
    case 'float64':
      if (Number.isNaN(x)) return '__builtin_nan("")';
      if (!Number.isFinite(x)) return x > 0 ? '__builtin_inf()' : '(-__builtin_inf())';
      return hexDouble(x);
    case 'float16':
      return `((uint16_t)0x${float16Bits(x).toString(16)})`;
    case 'bfloat16':
      return `((uint16_t)0x${bfloat16Bits(x).toString(16)})`;
    case 'uint8':
    case 'int8':
    case 'int16':
      return `((${dtype === 'uint8' ? 'uint8_t' : dtype === 'int8' ? 'int8_t' : 'int16_t'})${x | 0})`;
  }
}
