/**
 * torch.finfo and torch.iinfo: the numerical properties of float and integer dtypes (PyTorch's values).
 * int64 limits are bigints (exact), the others numbers.
 */
import { ArgumentError, checkDType, DTYPE_INFO, isFloat, type DType } from '../ir/index.js';

export interface FInfo {
  readonly dtype: DType;
  readonly bits: number;
  /** The difference between 1 and the next value. */
  readonly eps: number;
  readonly max: number;
  readonly min: number;
  /** The smallest positive normal value (also `smallestNormal`). */
  readonly tiny: number;
  readonly smallestNormal: number;
  /** 10^-digits: the decimal resolution. */
  readonly resolution: number;
}

export interface IInfo {
  readonly dtype: DType;
  readonly bits: number;
  readonly min: number | bigint;
  readonly max: number | bigint;
}

const FLOATS: Partial<Record<DType, [eps: number, max: number, tiny: number, resolution: number]>> = {
  float16: [2 ** -10, 65504, 2 ** -14, 0.001],
  bfloat16: [2 ** -7, 3.3895313892515355e38, 2 ** -126, 0.01],
  float32: [2 ** -23, 3.4028234663852886e38, 2 ** -126, 1e-6],
  float64: [2 ** -52, Number.MAX_VALUE, 2 ** -1022, 1e-15],
};

const INTS: Partial<Record<DType, [min: number | bigint, max: number | bigint]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** torch.finfo(dtype) (default: float32, PyTorch's default dtype). */
export function finfo(dtype: DType = 'float32'): FInfo {
  const d = checkDType(dtype, 'finfo');
  const f = FLOATS[d];
  if (!f || !isFloat(d)) throw new ArgumentError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'");
  const [eps, max, tiny, resolution] = f;
  return Object.freeze({ dtype: d, bits: DTYPE_INFO[d].bytes * 8, eps, max, min: -max, tiny, smallestNormal: tiny, resolution });
}

/** torch.iinfo(dtype). */
export function iinfo(dtype: DType): IInfo {
  const d = checkDType(dtype, 'iinfo');
  const i = INTS[d];
  if (d === 'bool') throw new ArgumentError('torch.bool is not supported by torch.iinfo');
  if (!i) throw new ArgumentError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'");
  return Object.freeze({ dtype: d, bits: DTYPE_INFO[d].bytes * 8, min: i[0], max: i[1] });
}
