import { DTypeError } from './errors.js';

/** The element types graft knows. float32 is the default, as in PyTorch. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export type Category = 'bool' | 'int' | 'float';

interface DTypeInfo {
  readonly bytes: number;
  readonly category: Category;
  /** Order within promotion: a higher rank wins. */
  readonly rank: number;
  readonly array: { new (n: number): TypedArray; new (buf: ArrayBufferLike, off: number, n: number): TypedArray };
  /** Name of the C type used by the renderers. */
  readonly c: string;
}

export const DTYPE_INFO: Record<DType, DTypeInfo> = {
  bool: { bytes: 1, category: 'bool', rank: 0, array: Uint8Array, c: 'unsigned char' },
  int32: { bytes: 4, category: 'int', rank: 1, array: Int32Array, c: 'int' },
  float32: { bytes: 4, category: 'float', rank: 2, array: Float32Array, c: 'float' },
  float64: { bytes: 8, category: 'float', rank: 3, array: Float64Array, c: 'double' },
};

export const DEFAULT_FLOAT: DType = 'float32';
export const DEFAULT_INT: DType = 'int32';

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && x in DTYPE_INFO;
}

export function checkDType(x: unknown, op: string): DType {
  if (!isDType(x)) throw new DTypeError(`${op}: unknown dtype ${String(x)}; expected one of ${DTYPES.join(', ')}`);
  return x;
}

export const isFloat = (d: DType): boolean => DTYPE_INFO[d].category === 'float';
export const isInt = (d: DType): boolean => DTYPE_INFO[d].category === 'int';
export const isBool = (d: DType): boolean => d === 'bool';

const CAT_RANK: Record<Category, number> = { bool: 0, int: 1, float: 2 };

/** torch.promote_types for two tensor dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  return DTYPE_INFO[a].rank >= DTYPE_INFO[b].rank ? a : b;
}

/** A value taking part in an operation: a tensor's dtype (with its rank: 0-d tensors count like scalars) or a JS scalar. */
export type Operand = { dtype: DType; dim: number } | number | boolean;

function scalarCategory(x: number | boolean): Category {
  if (typeof x === 'boolean') return 'bool';
  return Number.isInteger(x) ? 'int' : 'float';
}

function categoryDefault(c: Category): DType {
  return c === 'float' ? DEFAULT_FLOAT : c === 'int' ? DEFAULT_INT : 'bool';
}

/**
 * torch.result_type: dimensioned tensors take part with their dtype; zero-dim tensors and scalars take part
 * only by category (they can raise the category, not the width). A JS number that is an integer counts as int.
 */
export function resultType(...xs: Operand[]): DType {
  let dimResult: DType | null = null;
  let zeroResult: DType | null = null;
  let scalarCat: Category | null = null;
  for (const x of xs) {
    if (typeof x === 'number' || typeof x === 'boolean') {
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
  if (a instanceof Uint8Array) return 'bool';
  throw new DTypeError(
    `fromNumpy: unsupported typed array ${a.constructor.name}; expected Float32Array, Float64Array, Int32Array or Uint8Array (bool)`,
  );
}

/** Round/convert a JS number to what a dtype can hold (as PyTorch casts). */
export function castScalar(x: number, dtype: DType): number {
  switch (dtype) {
    case 'bool':
      return x !== 0 ? 1 : 0;
    case 'int32':
      return Number.isFinite(x) ? Math.trunc(x) | 0 : 0;
    case 'float32':
      return Math.fround(x);
    case 'float64':
      return x;
  }
}
