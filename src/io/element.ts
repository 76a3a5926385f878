/**
 * Element formats of files (safetensors dtypes, NumPy type strings) and their conversion to and from graft's
 * dtypes. A format is a kind (float, signed, unsigned, bool, bfloat16), a width and a byte order.
 *
 * Reading maps foreign formats onto graft's dtypes without losing values: float16, bfloat16, uint8, int8,
 * int16, int32 and int64 are read as they are (half floats as their bits: the bytes PyTorch wrote come back
 * byte for byte); uint16 becomes int32 (exact); uint32 becomes int64 (exact); uint64 becomes int64 after a
 * range check (a value of 2^63 or more is a ValueError).
 */
import { endianness } from 'node:os';
import { allocArray, ValueError, type DType, type Scalar, type TypedArray } from '../ir/index.js';

export interface ElementFormat {
  readonly kind: 'f' | 'i' | 'u' | 'b' | 'bf';
  readonly bytes: 1 | 2 | 4 | 8;
  /** Byte order of multi-byte elements (ignored for 1-byte ones). */
  readonly little: boolean;
}

const HOST_LITTLE = endianness() === 'LE';

/** The graft dtype a format is read into. */
export function dtypeForFormat(f: ElementFormat): DType {
  if (f.kind === 'b') return 'bool';
  if (f.kind === 'bf') return 'bfloat16';
  if (f.kind === 'f') return f.bytes === 8 ? 'float64' : f.bytes === 2 ? 'float16' : 'float32';
  if (f.bytes === 1) return f.kind === 'u' ? 'uint8' : 'int8';
  if (f.bytes === 2 && f.kind === 'i') return 'int16';
  return f.bytes === 8 || (f.kind === 'u' && f.bytes === 4) ? 'int64' : 'int32';
}

/** The format graft writes for a dtype (little-endian). */
export function formatForDType(d: DType): ElementFormat {
  switch (d) {
    case 'float32':
      return { kind: 'f', bytes: 4, little: true };
    case 'float64':
      return { kind: 'f', bytes: 8, little: true };
    case 'int32':
      return { kind: 'i', bytes: 4, little: true };
    case 'int64':
      return { kind: 'i', bytes: 8, little: true };
    case 'bool':
      return { kind: 'b', bytes: 1, little: true };
    case 'float16':
      return { kind: 'f', bytes: 2, little: true };
    case 'bfloat16':
      return { kind: 'bf', bytes: 2, little: true };
    case 'uint8':
      return { kind: 'u', bytes: 1, little: true };
    case 'int8':
      return { kind: 'i', bytes: 1, little: true };
    case 'int16':
      return { kind: 'i', bytes: 2, little: true };
  }
}

/** Whether elements of this format can be copied byte for byte into the dtype's typed array on this host. */
export function isNative(f: ElementFormat, d: DType = dtypeForFormat(f)): boolean {
  if (f.bytes !== 1 && f.little !== HOST_LITTLE) return false;
  return (
    (d === 'float32' && f.kind === 'f' && f.bytes === 4) ||
    (d === 'float64' && f.kind === 'f' && f.bytes === 8) ||
    (d === 'int32' && f.kind === 'i' && f.bytes === 4) ||
    (d === 'int64' && f.kind === 'i' && f.bytes === 8) ||
    (d === 'float16' && f.kind === 'f' && f.bytes === 2) ||
    (d === 'bfloat16' && f.kind === 'bf' && f.bytes === 2) ||
    (d === 'uint8' && f.kind === 'u' && f.bytes === 1) ||
    (d === 'int8' && f.kind === 'i' && f.bytes === 1) ||
    (d === 'int16' && f.kind === 'i' && f.bytes === 2)
  );
}

/**
 * Decode `n` elements of format `f` from `bytes` (exactly n * f.bytes long) into a new typed array of the
 * graft dtype. `what` names the tensor in errors.
 */
export function decodeElements(bytes: Uint8Array, f: ElementFormat, n: number, what: string): { dtype: DType; data: TypedArray } {
  const dtype = dtypeForFormat(f);
  const out = allocArray(dtype, n);
  if (isNative(f, dtype)) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes.subarray(0, n * f.bytes));
    return { dtype, data: out };
  }
  if (f.kind === 'b') {
    for (let i = 0; i < n; i++) out[i] = bytes[i] !== 0 ? 1 : 0;
    return { dtype, data: out };
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = f.little;
  const w = f.bytes;
  const read = ((): ((p: number) => Scalar) => {
    switch (`${f.kind}${w}`) {
      case 'f2':
      case 'bf2':
        return (p) => dv.getUint16(p, le); // the bits, into a Uint16Array
      case 'f4':
        return (p) => dv.getFloat32(p, le);
      case 'f8':
        return (p) => dv.getFloat64(p, le);
      case 'i1':
        return (p) => dv.getInt8(p);
      case 'u1':
        return (p) => dv.getUint8(p);
      case 'i2':
        return (p) => dv.getInt16(p, le);
      case 'u2':
        return (p) => dv.getUint16(p, le);
      case 'i4':
        return (p) => dv.getInt32(p, le);
      case 'u4':
        return (p) => BigInt(dv.getUint32(p, le));
      case 'i8':
        return (p) => dv.getBigInt64(p, le);
      case 'u8':
        return (p) => dv.getBigUint64(p, le);
      default:
        throw new Error(`internal: no reader for element format ${f.kind}${w}`);
    }
  })();
  const checked = f.kind === 'u' && w === 8;
  const o = out as unknown as { [i: number]: Scalar };
  for (let i = 0; i < n; i++) {
    const v = read(i * w);
    if (checked && (v as bigint) >= 2n ** 63n) {
      throw new ValueError(`${what}: element ${i} is ${v}, which does not fit in int64 (u64 values are read into int64)`);
    }
    o[i] = v;
  }
  return { dtype, data: out };
}

/** The little-endian bytes of a typed array of a graft dtype (a view of the same memory on little-endian hosts). */
export function encodeElements(data: TypedArray, dtype: DType): Uint8Array {
  const f = formatForDType(dtype);
  if (dtype === 'bool' || HOST_LITTLE) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * f.bytes);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (dtype === 'float32') dv.setFloat32(i * 4, v as number, true);
    else if (dtype === 'float64') dv.setFloat64(i * 8, v as number, true);
    else if (dtype === 'int64') dv.setBigInt64(i * 8, v as bigint, true);
    else if (dtype === 'float16' || dtype === 'bfloat16') dv.setUint16(i * 2, v as number, true);
    else if (dtype === 'int16') dv.setInt16(i * 2, v as number, true);
    else if (dtype === 'uint8' || dtype === 'int8') out[i] = (v as number) & 0xff;
    else dv.setInt32(i * 4, v as number, true);
  }
  return out;
}
