/**
 * Fuzz targets for the file loaders: safetensors (torch.io.deserialize, also the nested-state tree), .npy
 * (torch.io.fromNpy), IDX (decodeIdx) and gzip'd IDX. Each reads mutated seed bytes; a tensor read back must
 * hold as many values as its shape says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import * as torch from '../../../src/index.js';
import type { FuzzTarget } from '../harness.js';
import { mutatedBytes } from '../mutate.js';

const SEED_DIR = new URL('../seeds/', import.meta.url);

/** A tensor read back is consistent: its values fill its shape. */
function checkTensor(t: torch.Tensor): void {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const values = t.dataSync();
  if (values.length !== n) throw new Error(`a loaded tensor of shape [${t.shape}] holds ${values.length} values`);
}

function checkTree(v: unknown, depth = 0): void {
  if (depth > 64) return;
  if (v instanceof torch.Tensor) checkTensor(v);
  else if (Array.isArray(v)) v.forEach((e) => checkTree(e, depth + 1));
  else if (typeof v === 'object' && v !== null) Object.values(v).forEach((e) => checkTree(e, depth + 1));
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function fileTarget(name: string, seeds: () => Uint8Array[], run: (bytes: Uint8Array) => void): FuzzTarget<Uint8Array> {
  let arb: fc.Arbitrary<Uint8Array> | null = null;
  return {
    name,
    arbitrary: () => (arb ??= mutatedBytes(seeds())),
    run,
    describe: (b) => `${b.length} bytes: ${hex(b.subarray(0, 512))}${b.length > 512 ? '…' : ''}`,
    bytes: (b) => b,
  };
}

const f32 = (v: number[], shape?: number[]): torch.Tensor => torch.tensor(v, { dtype: torch.float32 }).reshape(shape ?? [v.length]);

/** A safetensors file assembled by hand (dtypes graft does not write: F16, BF16, I64, U8, ...). */
function handBuilt(header: object, data: number[]): Uint8Array {
  const text = JSON.stringify(header);
  const h = new TextEncoder().encode(text + ' '.repeat((8 - (text.length % 8)) % 8));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

export function safetensorsSeeds(): Uint8Array[] {
  return [
    torch.io.serialize({ w: f32([1, 2, 3, 4, 5, 6], [2, 3]), b: torch.tensor([true, false], { dtype: torch.bool }) }),
    torch.io.serialize({ i: torch.tensor([1, -2], { dtype: torch.int32 }), d: torch.tensor(2.5, { dtype: torch.float64 }), e: torch.zeros(0, 2) }),
    torch.io.serialize({ model: { w: f32([1, 2]) }, optim: { lr: 0.1, betas: [0.9, 0.999], best: Infinity }, epoch: 3, note: 'x', ok: null }),
    torch.io.serialize({ w: f32([1]) }, { metadata: { format: 'pt' } }),
    handBuilt(
      { __metadata__: null, h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, l: { dtype: 'I64', shape: [1], data_offsets: [4, 12] }, u: { dtype: 'U8', shape: [2], data_offsets: [12, 14] } },
      [0, 0x3c, 0, 0xc0, 5, 0, 0, 0, 0, 0, 0, 0, 7, 255],
    ),
    handBuilt({ b: { dtype: 'BF16', shape: [1, 1], data_offsets: [0, 2] }, s: { dtype: 'I8', shape: [], data_offsets: [2, 3] } }, [0x80, 0x3f, 0xff]),
  ];
}

export function npySeeds(): Uint8Array[] {
  const files = readdirSync(SEED_DIR).filter((f) => f.endsWith('.npy')).sort();
  return [...files.map((f) => new Uint8Array(readFileSync(new URL(f, SEED_DIR)))), torch.io.toNpy(f32([1, 2, 3, 4], [2, 2])), torch.io.toNpy(torch.tensor([true], { dtype: torch.bool }))];
}

/** IDX bytes: magic [0, 0, type, ndim], big-endian sizes, big-endian elements. */
function idx(type: number, shape: number[], elementBytes: number, fill: (dv: DataView, i: number) => void): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * shape.length + n * elementBytes);
  const dv = new DataView(out.buffer);
  out.set([0, 0, type, shape.length]);
  shape.forEach((d, k) => dv.setUint32(4 + 4 * k, d));
  for (let i = 0; i < n; i++) fill(dv, i);
  return out;
}

export function idxSeeds(): Uint8Array[] {
  const start = (rank: number): number => 4 + 4 * rank;
  return [
    idx(0x08, [2, 3, 3], 1, (dv, i) => dv.setUint8(start(3) + i, i * 13)),
    idx(0x08, [5], 1, (dv, i) => dv.setUint8(start(1) + i, i)),
    idx(0x09, [2, 2], 1, (dv, i) => dv.setInt8(start(2) + i, -i)),
    idx(0x0b, [3], 2, (dv, i) => dv.setInt16(start(1) + 2 * i, -300 * i)),
    idx(0x0c, [2], 4, (dv, i) => dv.setInt32(start(1) + 4 * i, 70000 * (i + 1))),
    idx(0x0d, [2, 1], 4, (dv, i) => dv.setFloat32(start(2) + 4 * i, i + 0.5)),
    idx(0x0e, [1], 8, (dv, i) => dv.setFloat64(start(1) + 8 * i, -1.25)),
    idx(0x08, [0, 28, 28], 1, () => undefined),
  ];
}

export const safetensorsTarget = fileTarget('safetensors', safetensorsSeeds, (b) => checkTree(torch.io.deserialize(b)));
export const npyTarget = fileTarget('npy', npySeeds, (b) => checkTensor(torch.io.fromNpy(b)));

function checkIdx(b: Uint8Array): void {
  const r = torch.datasets.decodeIdx(b);
  const n = r.shape.reduce((a, x) => a * x, 1);
  if (r.data.length !== n) throw new Error(`IDX of sizes [${r.shape}] decoded to ${r.data.length} values`);
}
export const idxTarget = fileTarget('idx', idxSeeds, checkIdx);
/** Mutations of the compressed bytes (the gzip layer) and of the IDX inside (compressed after mutation). */
export const idxGzTarget: FuzzTarget<Uint8Array> = (() => {
  let arb: fc.Arbitrary<Uint8Array> | null = null;
  const base = fileTarget('idx.gz', () => idxSeeds().map((s) => gzipSync(s)), checkIdx);
  return {
    ...base,
    arbitrary: () =>
      (arb ??= fc.oneof(
        mutatedBytes(idxSeeds().map((s) => new Uint8Array(gzipSync(s)))),
        mutatedBytes(idxSeeds()).map((s) => new Uint8Array(gzipSync(s))),
      )),
  };
})();

export const FILE_TARGETS = [safetensorsTarget, npyTarget, idxTarget, idxGzTarget];
