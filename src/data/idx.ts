/**
 * The IDX format of the MNIST files (yann.lecun.com/exdb/mnist): a magic number [0, 0, type, ndim], ndim
 * big-endian uint32 sizes, then the elements, big-endian, in row-major order. Files may be gzipped.
 * Every size is checked against the bytes present; a mismatch is a FormatError.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FormatError, MAX_BUFFER_BYTES } from '../ir/index.js';
import { checkBytes, checkPath, fileError } from '../io/files.js';

export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

const TYPES: Record<number, { name: string; bytes: number; make: (n: number) => IdxArray; get: (dv: DataView, p: number) => number }> = {
  0x08: { name: 'ubyte', bytes: 1, make: (n) => new Uint8Array(n), get: (dv, p) => dv.getUint8(p) },
  0x09: { name: 'byte', bytes: 1, make: (n) => new Int8Array(n), get: (dv, p) => dv.getInt8(p) },
  0x0b: { name: 'short', bytes: 2, make: (n) => new Int16Array(n), get: (dv, p) => dv.getInt16(p) },
  0x0c: { name: 'int', bytes: 4, make: (n) => new Int32Array(n), get: (dv, p) => dv.getInt32(p) },
  0x0d: { name: 'float', bytes: 4, make: (n) => new Float32Array(n), get: (dv, p) => dv.getFloat32(p) },
  0x0e: { name: 'double', bytes: 8, make: (n) => new Float64Array(n), get: (dv, p) => dv.getFloat64(p) },
};

export interface Idx {
  /** 'ubyte', 'byte', 'short', 'int', 'float' or 'double'. */
  type: string;
  shape: number[];
  data: IdxArray;
}

/** Parse IDX bytes (already decompressed); `where` names the file in errors. */
export function parseIdx(bytes: Uint8Array, where = 'IDX bytes'): Idx {
  checkBytes('parseIdx', bytes);
  if (bytes.length < 4) throw new FormatError(`${where}: too small to be an IDX file (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new FormatError(`${where}: not an IDX file (the magic number must start with two zero bytes)`);
  const type = TYPES[bytes[2]!];
  if (!type) throw new FormatError(`${where}: unknown IDX element type 0x${bytes[2]!.toString(16).padStart(2, '0')}`);
  const ndim = bytes[3]!;
  const dataStart = 4 + 4 * ndim;
  if (bytes.length < dataStart) throw new FormatError(`${where}: the file ends inside the ${ndim} dimension sizes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let n = 1;
  for (let k = 0; k < ndim; k++) {
    const d = dv.getUint32(4 + 4 * k);
    shape.push(d);
    n *= d;
  }
  const need = n * type.bytes;
  const have = bytes.length - dataStart;
  if (need !== have) {
    throw new FormatError(`${where}: sizes [${shape.join(', ')}] of ${type.name} need ${need} bytes of data but the file holds ${have}`);
  }
  let data: IdxArray;
  if (type.bytes === 1 && type.name === 'ubyte') data = bytes.slice(dataStart);
  else {
    data = type.make(n);
    for (let i = 0; i < n; i++) data[i] = type.get(dv, dataStart + i * type.bytes);
  }
  return { type: type.name, shape, data };
}

/** Parse IDX bytes, gunzipping them first when they start with the gzip magic bytes. */
export function decodeIdx(bytes: Uint8Array, where = 'IDX bytes'): Idx {
  checkBytes('decodeIdx', bytes);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      // The output is bounded by the largest buffer (a corrupt stream cannot claim more memory than that).
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_BUFFER_BYTES });
    } catch (e) {
      throw new FormatError(`${where}: a broken gzip stream (${(e as Error).message})`);
    }
  }
  return parseIdx(bytes, where);
}

/** Read an IDX file, gunzipping it when it starts with the gzip magic bytes. */
export function readIdx(path: string): Idx {
  checkPath('readIdx', path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fileError('readIdx', 'read', path, e);
  }
  return decodeIdx(bytes, path);
}
