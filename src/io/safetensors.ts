/**
 * The safetensors format (Hugging Face), byte for byte as the reference library writes it:
 *
 *   [8 bytes: N, unsigned little-endian] [N bytes: JSON header, padded with spaces to a multiple of 8]
 *   [data: the tensors' raw little-endian bytes, C order, back to back]
 *
 * The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
 * the start of the data), plus an optional "__metadata__" object of string to string. The writer orders
 * tensors by decreasing dtype alignment, then by name (UTF-8 byte order), writes "__metadata__" first with
 * its keys sorted, and emits compact JSON: what `safetensors.torch.save_file` writes for the same tensors.
 *
 * The reader checks everything the reference library checks before it reads a byte of data: the header
 * length (at most 100,000,000 bytes and within the file), UTF-8, a JSON object, each entry's dtype, shape and
 * offsets, that the tensors tile the data section exactly (sorted by offset: no holes, no overlaps, the last
 * one ending at the end of the file), and that each tensor's byte count matches its shape and dtype. Any
 * failure is a FormatError naming the problem; nothing is read outside the file.
 */
import { allocArray, FormatError, ValueError, type DType, type TypedArray } from '../ir/index.js';
import { decodeElements, dtypeForFormat, encodeElements, isNative, type ElementFormat } from './element.js';
import type { ByteSource } from './files.js';

/** The largest header accepted, as in the reference library. */
export const MAX_HEADER_BYTES = 100_000_000;

/** A tensor as stored: dtype, shape and values in C order. */
export interface RawTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/** safetensors dtype names graft reads, with their element formats. */
const READ_DTYPES: Record<string, ElementFormat> = {
  F64: { kind: 'f', bytes: 8, little: true },
  F32: { kind: 'f', bytes: 4, little: true },
  F16: { kind: 'f', bytes: 2, little: true },
  BF16: { kind: 'bf', bytes: 2, little: true },
  I64: { kind: 'i', bytes: 8, little: true },
  I32: { kind: 'i', bytes: 4, little: true },
  I16: { kind: 'i', bytes: 2, little: true },
  I8: { kind: 'i', bytes: 1, little: true },
  U64: { kind: 'u', bytes: 8, little: true },
  U32: { kind: 'u', bytes: 4, little: true },
  U16: { kind: 'u', bytes: 2, little: true },
  U8: { kind: 'u', bytes: 1, little: true },
  BOOL: { kind: 'b', bytes: 1, little: true },
};

/** What graft writes for each of its dtypes. */
export const SAFETENSORS_DTYPE: Record<DType, string> = {
  float64: 'F64', float32: 'F32', int64: 'I64', int32: 'I32', bool: 'BOOL', float16: 'F16', bfloat16: 'BF16', uint8: 'U8', int8: 'I8', int16: 'I16',
};

/** The reference library's dtype order (increasing alignment); the writer sorts by it, descending. */
const DTYPE_ORDER: Record<DType, number> = { bool: 0, uint8: 1, int8: 2, int16: 5, float16: 7, bfloat16: 8, int32: 9, float32: 11, float64: 12, int64: 13 };

const utf8 = new TextEncoder();

/** Compare strings by their UTF-8 bytes (Rust's String ordering), not by UTF-16 code units. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Encode tensors (and optional string metadata) as safetensors: returns the header (length prefix included)
 * and the data chunks in file order.
 */
export function encodeSafetensors(tensors: Iterable<readonly [string, RawTensor]>, metadata?: Record<string, string>): Uint8Array[] {
  const entries = [...tensors];
  const seen = new Set<string>();
  for (const [name] of entries) {
    if (name === '__metadata__') throw new ValueError('safetensors: a tensor cannot be named "__metadata__"');
    if (seen.has(name)) throw new ValueError(`safetensors: duplicate tensor name "${name}"`);
    seen.add(name);
  }
  entries.sort(([an, a], [bn, b]) => DTYPE_ORDER[b.dtype] - DTYPE_ORDER[a.dtype] || compareUtf8(an, bn));
  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareUtf8);
    for (const k of keys) {
      if (typeof metadata[k] !== 'string') throw new ValueError(`safetensors: metadata values must be strings ("${k}" is ${typeof metadata[k]})`);
    }
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = encodeElements(t.data, t.dtype);
    const info = `{"dtype":"${SAFETENSORS_DTYPE[t.dtype]}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + bytes.length}]}`;
    parts.push(`${JSON.stringify(name)}:${info}`);
    offset += bytes.length;
    chunks.push(bytes);
  }
  let header = utf8.encode(`{${parts.join(',')}}`);
  const pad = (8 - (header.length % 8)) % 8;
  if (pad > 0) {
    const padded = new Uint8Array(header.length + pad).fill(0x20);
    padded.set(header);
    header = padded;
  }
  const prefix = new Uint8Array(8 + header.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(header.length), true);
  prefix.set(header, 8);
  return [prefix, ...chunks];
}

interface Entry {
  name: string;
  format: ElementFormat;
  shape: number[];
  begin: number;
  end: number;
}

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function parseEntry(name: string, v: unknown, where: string): Entry {
  const bad = (why: string): FormatError => new FormatError(`${where}: tensor "${name}": ${why}`);
  if (!isPlainObject(v)) throw bad('expected an object with dtype, shape and data_offsets');
  const { dtype, shape, data_offsets: offsets } = v;
  if (typeof dtype !== 'string') throw bad(`dtype must be a string, got ${JSON.stringify(dtype)}`);
  const format = Object.hasOwn(READ_DTYPES, dtype) ? READ_DTYPES[dtype] : undefined;
  if (!format) throw bad(`unknown or unsupported dtype "${dtype}" (graft reads ${Object.keys(READ_DTYPES).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw bad(`data_offsets must be two non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw bad(`data_offsets [${begin}, ${end}] end before they begin`);
  let n = 1;
  for (const d of shape as number[]) {
    n *= d;
    if (!Number.isSafeInteger(n * format.bytes)) throw bad(`shape ${JSON.stringify(shape)} is too large`);
  }
  if (end - begin !== n * format.bytes) {
    throw bad(`shape ${JSON.stringify(shape)} of ${dtype} needs ${n * format.bytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, format, shape: shape as number[], begin, end };
}

export interface SafetensorsContents {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string> | null;
}

/**
 * Read and check a safetensors file (or bytes) from `src`; `where` names it in errors. With `headerOnly` the
 * header is checked in full but no tensor data is read (the returned map is empty).
 */
export function decodeSafetensors(src: ByteSource, where: string, opts: { headerOnly?: boolean } = {}): SafetensorsContents {
  if (src.size < 8) throw new FormatError(`${where}: too small to be a safetensors file (${src.size} bytes; the header length alone takes 8)`);
  const lenBytes = src.read(0, 8);
  const n = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new FormatError(`${where}: header length ${n} is larger than the limit of ${MAX_HEADER_BYTES} bytes`);
  const headerLen = Number(n);
  if (8 + headerLen > src.size) {
    throw new FormatError(`${where}: header length ${headerLen} goes past the end of the file (${src.size} bytes)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(src.read(8, headerLen));
  } catch {
    throw new FormatError(`${where}: the header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) throw new FormatError(`${where}: the header does not start with '{'`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${where}: the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) throw new FormatError(`${where}: the header is not a JSON object`);

  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [key, value] of Object.entries(header)) {
    if (key === '__metadata__') {
      if (value === null) continue; // the reference library reads null as no metadata
      if (!isPlainObject(value) || !Object.values(value).every((s) => typeof s === 'string')) {
        throw new FormatError(`${where}: "__metadata__" must be an object of strings`);
      }
      metadata = value as Record<string, string>;
    } else {
      entries.push(parseEntry(key, value, where));
    }
  }
  // The tensors must tile the data section in order of their offsets: no holes, no overlaps.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of entries) {
    if (e.begin !== pos) {
      throw new FormatError(
        e.begin < pos
          ? `${where}: tensor "${e.name}" at [${e.begin}, ${e.end}] overlaps the tensor before it (which ends at ${pos})`
          : `${where}: tensor "${e.name}" begins at ${e.begin}, leaving a hole after byte ${pos} of the data`,
      );
    }
    pos = e.end;
  }
  const dataStart = 8 + headerLen;
  const dataLen = src.size - dataStart;
  if (pos !== dataLen) {
    throw new FormatError(
      pos > dataLen
        ? `${where}: the tensors need ${pos} bytes of data but the file holds ${dataLen} after the header`
        : `${where}: the tensors cover ${pos} bytes but the file holds ${dataLen} after the header (trailing bytes)`,
    );
  }
  const tensors = new Map<string, RawTensor>();
  if (opts.headerOnly) return { tensors, metadata };
  for (const e of entries) {
    const numel = (e.end - e.begin) / e.format.bytes;
    if (isNative(e.format)) {
      // Read straight into the tensor's memory.
      const dtype = dtypeForFormat(e.format);
      const data = allocArray(dtype, numel);
      src.read(dataStart + e.begin, e.end - e.begin, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      tensors.set(e.name, { dtype, shape: e.shape, data });
    } else {
      const bytes = src.read(dataStart + e.begin, e.end - e.begin);
      const { dtype, data } = decodeElements(bytes, e.format, numel, `${where}: tensor "${e.name}"`);
      tensors.set(e.name, { dtype, shape: e.shape, data });
    }
  }
  return { tensors, metadata };
}
