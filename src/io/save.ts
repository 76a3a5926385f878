/**
 * torch.save / torch.load: state dicts in safetensors files (see safetensors.ts for the format and state.ts
 * for how nested state is stored), plus the lower-level safetensors functions of torch.io.
 */
import { z } from 'zod';
import { ArgumentError, ValueError, type TypedArray } from '../ir/index.js';
import { fromValues, hostValues, resolveDevice, Tensor } from '../tensor/index.js';
import { defineOptions, describeValue, deviceArg } from '../tensor/options.js';
import { bytesSource, checkBytes, withFileSource, writeFileAtomic, type ByteSource } from './files.js';
import { decodeSafetensors, encodeSafetensors, type RawTensor, type SafetensorsContents } from './safetensors.js';
import { flattenState, STATE_KEY, unflattenState, type Saveable } from './state.js';

export interface SaveOptions {
  /** Extra string metadata for the header's "__metadata__" (e.g. { format: 'pt' }). */
  metadata?: Record<string, string>;
}

export interface LoadOptions {
  /** The device the tensors are put on (default 'cpu'). */
  device?: string;
}

const metadataArg = z.record(z.string(), z.string(), { error: 'metadata must be an object of strings' }).optional();
const SAVE_OPTIONS = defineOptions('save', { metadata: metadataArg });
const SERIALIZE_OPTIONS = defineOptions('serialize', { metadata: metadataArg });
const SAVE_FILE_OPTIONS = defineOptions('saveFile', { metadata: metadataArg });
const LOAD_OPTIONS = defineOptions('load', { device: deviceArg.optional() });
const DESERIALIZE_OPTIONS = defineOptions('deserialize', { device: deviceArg.optional() });
const LOAD_FILE_OPTIONS = defineOptions('loadFile', { device: deviceArg.optional() });

function rawOf(t: Tensor, name: string, op: string): RawTensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: "${name}" is not a tensor`);
  return { dtype: t.dtype, shape: t.shape, data: hostValues(t) };
}

function encodeState(obj: unknown, opts: SaveOptions | undefined, op: string): Uint8Array[] {
  const { tensors, tree } = flattenState(obj, op);
  let metadata = opts?.metadata;
  if (tree !== null) {
    if (metadata && Object.hasOwn(metadata, STATE_KEY)) throw new ValueError(`${op}: the metadata key "${STATE_KEY}" is reserved`);
    metadata = { ...metadata, [STATE_KEY]: tree };
  }
  // Every tensor is computed before the file is opened, so a failing tensor leaves no partial file.
  return encodeSafetensors(
    tensors.map(([name, t]) => [name, rawOf(t, name, op)] as const),
    metadata,
  );
}

function toTensors(contents: SafetensorsContents, opts: LoadOptions | undefined): Map<string, Tensor> {
  const device = resolveDevice(opts?.device ?? 'cpu');
  const out = new Map<string, Tensor>();
  for (const [name, raw] of contents.tensors) out.set(name, fromValues(raw.data as TypedArray, raw.shape, raw.dtype, device));
  return out;
}

function loadState(src: ByteSource, where: string, opts: LoadOptions | undefined): unknown {
  const contents = decodeSafetensors(src, where);
  const tensors = toTensors(contents, opts);
  const tree = contents.metadata?.[STATE_KEY];
  if (tree !== undefined) return unflattenState(tree, tensors, where);
  return Object.fromEntries(tensors);
}

/**
 * torch.save(obj, path): write a state dict (name -> tensor, as a plain object or Map) or a nested checkpoint
 * to a safetensors file. The file is written beside the target and renamed over it, so an interrupted save
 * leaves any previous file whole.
 */
export function save(obj: Saveable | object, path: string, opts?: SaveOptions): void {
  SAVE_OPTIONS.check(opts);
  writeFileAtomic('save', path, encodeState(obj, opts, 'save'));
}

/**
 * torch.load(path): read a safetensors file. A flat file (any safetensors file, e.g. from Python) gives a plain
 * object name -> tensor; a file written by torch.save from a nested object gives that object back.
 */
export function load<T = Record<string, Tensor>>(path: string, opts?: LoadOptions): T {
  LOAD_OPTIONS.check(opts);
  return withFileSource('load', path, (src) => loadState(src, path, opts)) as T;
}

/** The safetensors bytes torch.save would write (safetensors.torch.save). */
export function serialize(obj: Saveable | object, opts?: SaveOptions): Uint8Array {
  SERIALIZE_OPTIONS.check(opts);
  const chunks = encodeState(obj, opts, 'serialize');
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** torch.load from bytes (safetensors.torch.load). */
export function deserialize<T = Record<string, Tensor>>(bytes: Uint8Array, opts?: LoadOptions): T {
  checkBytes('deserialize', bytes);
  DESERIALIZE_OPTIONS.check(opts);
  return loadState(bytesSource(bytes, 'safetensors bytes'), 'safetensors bytes', opts) as T;
}

/** safetensors.torch.save_file: a flat name -> tensor dict, with optional string metadata. */
export function saveFile(tensors: Record<string, Tensor> | ReadonlyMap<string, Tensor>, path: string, opts?: SaveOptions): void {
  SAVE_FILE_OPTIONS.check(opts);
  if (typeof tensors !== 'object' || tensors === null || tensors instanceof Tensor || Array.isArray(tensors)) {
    throw new ArgumentError(`saveFile(): argument 'tensors' must be an object or Map of name -> Tensor, not ${describeValue(tensors)}`);
  }
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  writeFileAtomic(
    'saveFile',
    path,
    encodeSafetensors(
      entries.map(([name, t]) => [name, rawOf(t, name, 'saveFile')] as const),
      opts?.metadata,
    ),
  );
}

/** safetensors.torch.load_file: every tensor of a safetensors file by name (nested saves come back flat). */
export function loadFile(path: string, opts?: LoadOptions): Record<string, Tensor> {
  LOAD_FILE_OPTIONS.check(opts);
  return withFileSource('loadFile', path, (src) => Object.fromEntries(toTensors(decodeSafetensors(src, path), opts)));
}

/** The "__metadata__" strings of a safetensors file (null when it has none). */
export function loadMetadata(path: string): Record<string, string> | null {
  return withFileSource('loadMetadata', path, (src) => decodeSafetensors(src, path, { headerOnly: true }).metadata);
}
