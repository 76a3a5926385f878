/**
 * NumPy's .npy format, so arrays move between graft and NumPy (np.save / np.load).
 *
 *   "\x93NUMPY" major minor, header length (2 bytes LE in 1.0; 4 bytes LE in 2.0 and 3.0),
 *   a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces and
 *   a final '\n' so the data starts at a multiple of 64 bytes, then the raw elements.
 *
 * Writing produces what np.save writes for the same array: format 1.0 (2.0 only if the header could not fit),
 * descr '<f4', '<f8', '<i4' or '|b1', C order, numpy's extra spaces for growing the first axis.
 * Reading accepts formats 1.0, 2.0 and 3.0 (UTF-8 header), either byte order ('<', '>', '=', '|'), fortran
 * order (transposed into C order), and the types f2 f4 f8 (float16 becomes float32), i1 i2 i4 u1 u2 (into int32),
 * i8 u4 u8 (into int32, with a range check: a value outside int32 is a ValueError) and b1 (bool).
 * Structured dtypes, object arrays and anything malformed are FormatErrors.
 */
import { allocArray, ArgumentError, DTypeError, FormatError, stridedCopy, type DType, type TypedArray } from '../ir/index.js';
import { fromValues, hostValues, resolveDevice, Tensor } from '../tensor/index.js';
import { defineOptions, describeValue, deviceArg } from '../tensor/options.js';
import { decodeElements, encodeElements, isNative, dtypeForFormat, type ElementFormat } from './element.js';
import { bytesSource, checkBytes, withFileSource, writeFileAtomic, type ByteSource } from './files.js';
import { parsePyLiteral, pyRepr, PyDict, PyTuple } from './pyliteral.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
/** numpy pads the header so the first axis can grow to this many digits in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;
/** numpy refuses longer headers by default (they may not be safe to parse). */
const MAX_HEADER_CHARS = 10000;

/** NumPy has no bfloat16: saving one is a DTypeError (convert with `.float()` first). */
const DESCR: Record<DType, string> = {
  float32: '<f4', float64: '<f8', int32: '<i4', int64: '<i8', bool: '|b1', float16: '<f2', bfloat16: '', uint8: '|u1', int8: '|i1', int16: '<i2',
};

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

function pyShape(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** The .npy header (magic to the final '\n') for an array, as numpy writes it. */
export function npyHeader(dtype: DType, shape: readonly number[]): Uint8Array {
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${pyShape(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const hlen = dict.length + 1;
  for (const [major, lenBytes] of [
    [1, 2],
    [2, 4],
  ] as const) {
    const pad = ALIGN - ((8 + lenBytes + hlen) % ALIGN);
    const total = hlen + pad;
    if (lenBytes === 2 && total > 0xffff) continue;
    const out = new Uint8Array(8 + lenBytes + total);
    out.set(MAGIC);
    out[6] = major;
    out[7] = 0;
    const dv = new DataView(out.buffer);
    if (lenBytes === 2) dv.setUint16(8, total, true);
    else dv.setUint32(8, total, true);
    out.set(latin1(dict), 8 + lenBytes);
    out.fill(0x20, 8 + lenBytes + dict.length, out.length - 1);
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new FormatError('npy: header too long');
}

function npyChunks(op: string, t: Tensor): Uint8Array[] {
  checkTensor(op, t);
  if (t.dtype === 'bfloat16') throw new DTypeError(`${op}: NumPy has no bfloat16; convert the tensor first (t.float())`);
  const data = hostValues(t);
  return [npyHeader(t.dtype, t.shape), encodeElements(data, t.dtype)];
}

/** The bytes np.save would write for this tensor's values. */
export function toNpy(t: Tensor): Uint8Array {
  const [h, d] = npyChunks('toNpy', t);
  const out = new Uint8Array(h!.length + d!.length);
  out.set(h!);
  out.set(d!, h!.length);
  return out;
}

/** Write a tensor to a .npy file (atomically: a temporary file renamed over the target). */
export function saveNpy(t: Tensor, path: string): void {
  writeFileAtomic('saveNpy', path, npyChunks('saveNpy', t));
}

export interface NpyLoadOptions {
  /** The device the tensor is put on (default 'cpu'). */
  device?: string;
}

const LOAD_NPY_OPTIONS = defineOptions('loadNpy', { device: deviceArg.optional() });
const FROM_NPY_OPTIONS = defineOptions('fromNpy', { device: deviceArg.optional() });

function checkTensor(op: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ArgumentError(`${op}(): argument 'tensor' must be a Tensor, not ${describeValue(t)}`);
}

interface NpyHeader {
  format: ElementFormat;
  fortran: boolean;
  shape: number[];
  dataStart: number;
}

function parseDescr(descr: string, where: string): ElementFormat {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const bad = (): never => {
    throw new FormatError(
      `${where}: unsupported dtype descr ${JSON.stringify(descr)} (graft reads f2 f4 f8, i1 i2 i4 i8, u1 u2 u4 u8 and b1, either byte order)`,
    );
  };
  if (!m) return bad();
  const [, order, kind, size] = m as unknown as [string, string, 'f' | 'i' | 'u' | 'b', string];
  const bytes = Number(size);
  const ok = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] }[kind];
  if (!ok.includes(bytes)) return bad();
  if (order === '|' && bytes !== 1) return bad();
  // '=' is the writer's native order; files written with it are almost always little-endian.
  return { kind, bytes: bytes as 1 | 2 | 4 | 8, little: order !== '>' };
}

function readHeader(src: ByteSource, where: string): NpyHeader {
  if (src.size < 10) throw new FormatError(`${where}: too small to be a .npy file (${src.size} bytes)`);
  const pre = src.read(0, 8);
  if (!MAGIC.every((b, i) => pre[i] === b)) throw new FormatError(`${where}: not a .npy file (the magic string "\\x93NUMPY" is missing)`);
  const major = pre[6]!;
  const minor = pre[7]!;
  if (![1, 2, 3].includes(major) || minor !== 0) throw new FormatError(`${where}: unsupported .npy format version ${major}.${minor} (graft reads 1.0, 2.0 and 3.0)`);
  const lenBytes = major === 1 ? 2 : 4;
  if (src.size < 8 + lenBytes) throw new FormatError(`${where}: the file ends inside the header length`);
  const lb = src.read(8, lenBytes);
  const dv = new DataView(lb.buffer, lb.byteOffset, lenBytes);
  const hlen = lenBytes === 2 ? dv.getUint16(0, true) : dv.getUint32(0, true);
  const dataStart = 8 + lenBytes + hlen;
  if (dataStart > src.size) throw new FormatError(`${where}: header length ${hlen} goes past the end of the file (${src.size} bytes)`);
  if (hlen > MAX_HEADER_CHARS * 4) throw new FormatError(`${where}: header length ${hlen} is larger than numpy's limit`);
  const raw = src.read(8 + lenBytes, hlen);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new FormatError(`${where}: the header is not valid UTF-8`);
    }
  } else text = String.fromCharCode(...raw);
  if (text.length > MAX_HEADER_CHARS) throw new FormatError(`${where}: header of ${text.length} characters is larger than numpy's limit of ${MAX_HEADER_CHARS}`);
  const d = parsePyLiteral(text, where);
  if (!(d instanceof PyDict)) throw new FormatError(`${where}: the header is not a dict: ${text.trim()}`);
  const keys = d.entries.map(([k]) => k).sort();
  if (keys.join() !== 'descr,fortran_order,shape') {
    throw new FormatError(`${where}: the header must have exactly the keys 'descr', 'fortran_order' and 'shape', got ${JSON.stringify(keys)}`);
  }
  const descr = d.get('descr');
  if (typeof descr !== 'string') {
    throw new FormatError(`${where}: structured dtypes are not supported (descr ${pyRepr(descr ?? null)})`);
  }
  const fortran = d.get('fortran_order');
  if (typeof fortran !== 'boolean') throw new FormatError(`${where}: fortran_order must be True or False`);
  const shapeV = d.get('shape');
  if (!(shapeV instanceof PyTuple) || !shapeV.items.every((x) => typeof x === 'bigint' && x >= 0n && x <= BigInt(Number.MAX_SAFE_INTEGER))) {
    throw new FormatError(`${where}: shape must be a tuple of non-negative integers`);
  }
  return { format: parseDescr(descr, where), fortran, shape: shapeV.items.map((x) => Number(x)), dataStart };
}

/** C-order copy of data laid out in Fortran order (the same array with its axes reversed). */
function fortranToC(src: TypedArray, shape: readonly number[]): TypedArray {
  const r = shape.length;
  if (r < 2) return src;
  const out = new (src.constructor as new (n: number) => TypedArray)(src.length);
  // Element (i0, ..., ik) of a Fortran-order array is at i0 + s0*i1 + s0*s1*i2 + ...
  const fStrides: number[] = [];
  let s = 1;
  for (let k = 0; k < r; k++) {
    fStrides.push(s);
    s *= shape[k]!;
  }
  stridedCopy(src, out, shape, fStrides);
  return out;
}

function readNpy(src: ByteSource, where: string, opts: NpyLoadOptions | undefined): Tensor {
  const device = resolveDevice(opts?.device ?? 'cpu');
  const h = readHeader(src, where);
  let n = 1;
  for (const d of h.shape) {
    n *= d;
    if (!Number.isSafeInteger(n * h.format.bytes)) throw new FormatError(`${where}: shape (${h.shape.join(', ')}) is too large`);
  }
  const nbytes = n * h.format.bytes;
  const have = src.size - h.dataStart;
  if (have !== nbytes) {
    throw new FormatError(
      `${where}: shape (${h.shape.join(', ')}) of ${h.format.kind}${h.format.bytes} needs ${nbytes} bytes of data but the file holds ${have}`,
    );
  }
  let dtype: DType;
  let data: TypedArray;
  if (isNative(h.format)) {
    dtype = dtypeForFormat(h.format);
    data = allocArray(dtype, n);
    src.read(h.dataStart, nbytes, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } else {
    ({ dtype, data } = decodeElements(src.read(h.dataStart, nbytes), h.format, n, where));
  }
  if (h.fortran) data = fortranToC(data, h.shape);
  return fromValues(data, h.shape, dtype, device);
}

/** Read a .npy file into a tensor (np.load). */
export function loadNpy(path: string, opts?: NpyLoadOptions): Tensor {
  LOAD_NPY_OPTIONS.check(opts);
  return withFileSource('loadNpy', path, (src) => readNpy(src, path, opts));
}

/** Read .npy bytes into a tensor. */
export function fromNpy(bytes: Uint8Array, opts?: NpyLoadOptions): Tensor {
  checkBytes('fromNpy', bytes);
  FROM_NPY_OPTIONS.check(opts);
  return readNpy(bytesSource(bytes, 'npy bytes'), 'npy bytes', opts);
}
