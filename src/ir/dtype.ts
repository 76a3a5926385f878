import { DTypeError } from './errors.js';

/** The element types graft stores. float32 is the default float and int64 the default integer, as in PyTorch. */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'float16' | 'bfloat16' | 'uint8' | 'int8' | 'int16';

/** Every dtype (new ones are appended: a dtype's position numbers it in structural keys). */
export const DTYPES: readonly DType[] = ['bool', 'int32', 'int64', 'float32', 'float64', 'float16', 'bfloat16', 'uint8', 'int8', 'int16'];

/** Kept for compatibility: every dtype PyTorch names in graft is stored now (issue 14), so this is empty. */
export type UnsupportedDType = never;
export const UNSUPPORTED_DTYPES: readonly string[] = [];

/**
 * Storage of each dtype: float16 and bfloat16 are their 16 bits in a Uint16Array (as C's uint16_t, NumPy's
 * `<f2` and safetensors' F16/BF16 lay them out); uint8 shares Uint8Array with bool.
 */
export type TypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Int8Array | Int16Array;

export type Category = 'bool' | 'int' | 'float';

interface DTypeInfo {
  readonly bytes: number;
  readonly category: Category;
  /** Order within promotion: a higher rank wins. */
  readonly rank: number;
  readonly array: { new (n: number): TypedArray; new (buf: ArrayBufferLike, off: number, n: number): TypedArray };
}

/**
 * int64 is stored in a BigInt64Array: the layout of C's int64_t, NumPy's `<i8` and safetensors' I64, so
 * kernels, files and `numpy()` share its memory as is; its elements read as JS bigints (exact).
 */
export const DTYPE_INFO: Record<DType, DTypeInfo> = {
  bool: { bytes: 1, category: 'bool', rank: 0, array: Uint8Array },
  int32: { bytes: 4, category: 'int', rank: 1, array: Int32Array },
  int64: { bytes: 8, category: 'int', rank: 2, array: BigInt64Array },
  float32: { bytes: 4, category: 'float', rank: 3, array: Float32Array },
  float64: { bytes: 8, category: 'float', rank: 4, array: Float64Array },
  float16: { bytes: 2, category: 'float', rank: 3, array: Uint16Array },
  bfloat16: { bytes: 2, category: 'float', rank: 3, array: Uint16Array },
  uint8: { bytes: 1, category: 'int', rank: 1, array: Uint8Array },
  int8: { bytes: 1, category: 'int', rank: 1, array: Int8Array },
  int16: { bytes: 2, category: 'int', rank: 1, array: Int16Array },
};

/** The 16-bit floats: stored as bits, computed in float32 and rounded back after every op (as PyTorch's CPU). */
export const isHalf = (d: DType): boolean => d === 'float16' || d === 'bfloat16';
/** The integers narrower than int32: computed in int32 and wrapped back to their width after every op. */
export const isNarrowInt = (d: DType): boolean => d === 'uint8' || d === 'int8' || d === 'int16';
/** The dtype a narrow dtype computes in (float32 for half floats, int32 for narrow integers), else itself. */
export const computeDType = (d: DType): DType => (isHalf(d) ? 'float32' : isNarrowInt(d) ? 'int32' : d);

export const DEFAULT_FLOAT: DType = 'float32';
export const DEFAULT_INT: DType = 'int64';

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.hasOwn(DTYPE_INFO, x);
}

export function checkDType(x: unknown, op: string): DType {
  if (isDType(x)) return x;
  throw new DTypeError(`${op}: unknown dtype ${String(x)}; expected one of ${DTYPES.join(', ')}`);
}

export const isFloat = (d: DType): boolean => DTYPE_INFO[d].category === 'float';
export const isInt = (d: DType): boolean => DTYPE_INFO[d].category === 'int';
export const isBool = (d: DType): boolean => d === 'bool';

const CAT_RANK: Record<Category, number> = { bool: 0, int: 1, float: 2 };

/**
 * torch.promote_types for two tensor dtypes (PyTorch 1.13's table, `test/ir/promotion.test.ts` holds it
 * whole): the category decides (bool < integers < floats), then the width; uint8 with int8 gives int16 (the
 * smallest type holding both), float16 with bfloat16 gives float32 (neither holds the other).
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = CAT_RANK[DTYPE_INFO[a].category];
  const cb = CAT_RANK[DTYPE_INFO[b].category];
  if (ca !== cb) return ca > cb ? a : b;
  if (isHalf(a) && isHalf(b)) return 'float32';
  if ((a === 'uint8' && b === 'int8') || (a === 'int8' && b === 'uint8')) return 'int16';
  const wa = WIDTH[a];
  const wb = WIDTH[b];
  return wa >= wb ? a : b;
}

/** Order within a category for promotion (uint8/int8 and float16/bfloat16 tie: promoteTypes settles those). */
const WIDTH: Record<DType, number> = {
  bool: 0, uint8: 1, int8: 1, int16: 2, int32: 3, int64: 4, float16: 1, bfloat16: 1, float32: 3, float64: 4,
};

/** A value taking part in an operation: a tensor's dtype (with its rank: 0-d tensors count like scalars) or a JS scalar. */
export type Operand = { dtype: DType; dim: number } | number | bigint | boolean;

function scalarCategory(x: number | bigint | boolean): Category {
  if (typeof x === 'boolean') return 'bool';
  if (typeof x === 'bigint') return 'int';
  return Number.isInteger(x) ? 'int' : 'float';
}

function categoryDefault(c: Category): DType {
  return c === 'float' ? DEFAULT_FLOAT : c === 'int' ? DEFAULT_INT : 'bool';
}

/**
 * torch.result_type: dimensioned tensors take part with their dtype; zero-dim tensors and scalars take part
 * only by category (they can raise the category, not the width). A scalar operand that is an integral JS
 * number or a bigint counts as an int (Python int), any other number as a float.
 */
export function resultType(...xs: Operand[]): DType {
  let dimResult: DType | null = null;
  let zeroResult: DType | null = null;
  let scalarCat: Category | null = null;
  for (const x of xs) {
    if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean') {
      const c = scalarCategory(x);
      if (scalarCat === null || CAT_RANK[c] > CAT_RANK[scalarCat]) scalarCat = c;
    } else if (x.dim === 0) {
      zeroResult = zeroResult === null ? x.dtype : promoteTypes(zeroResult, x.dtype);
    } else {
      dimResult = dimResult === null ? x.dtype : promoteTypes(dimResult, x.dtype);
    }
  }
  let out: DType | null = dimResult;
  if (zeroResult !== null) {
    if (out === null) out = zeroResult;
    else if (CAT_RANK[DTYPE_INFO[zeroResult].category] > CAT_RANK[DTYPE_INFO[out].category]) {
      out = zeroResult;
    }
  }
  if (scalarCat !== null) {
    if (out === null) out = categoryDefault(scalarCat);
    else if (CAT_RANK[scalarCat] > CAT_RANK[DTYPE_INFO[out].category]) out = categoryDefault(scalarCat);
  }
  return out ?? DEFAULT_FLOAT;
}

/** Make a typed array of the dtype's storage type. */
export function allocArray(dtype: DType, n: number): TypedArray {
  return new DTYPE_INFO[dtype].array(n);
}

/** The dtype a typed array stores natively (for torch.fromNumpy / torch.tensor of a typed array). */
export function dtypeOfArray(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'bool';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  throw new DTypeError(
    `fromNumpy: unsupported typed array ${a.constructor.name}; expected Float32Array, Float64Array, Int32Array, BigInt64Array, Int8Array, Int16Array or Uint8Array (bool)`,
  );
}

/**
 * `dst.set(src, offset)` for arrays of one dtype. TypeScript types `set` on a union of typed arrays as taking
 * numbers and bigints at once; at run time a BigInt64Array takes only a BigInt64Array, and others only
 * number arrays, so a mismatch still throws.
 */
export function setElements(dst: TypedArray, src: TypedArray, offset = 0): void {
  (dst as { set(a: ArrayLike<unknown>, o?: number): void }).set(src, offset);
}

/** Zero every element (0, 0n or false), whatever the dtype. */
export function zeroFill(a: TypedArray): void {
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength).fill(0);
}
