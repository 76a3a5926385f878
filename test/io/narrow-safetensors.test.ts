/**
 * float16, bfloat16, uint8, int8 and int16 in safetensors files, against a file made from PyTorch 1.13's own
 * tensors (scripts/narrow-safetensors.py: bytes from `.view(torch.int16)` / `.numpy()`, the reference
 * library's layout). graft reads every value and bit, and writes the same file byte for byte, both from the
 * tensors it read and from tensors it makes out of the same decimal values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

const FIX = join(import.meta.dirname, 'fixtures');
const file = readFileSync(join(FIX, 'narrow-dtypes.safetensors'));
interface Want {
  dtype: string;
  shape: number[];
  values: (number | string)[];
  bits: number[] | null;
}
const want = JSON.parse(readFileSync(join(FIX, 'narrow-dtypes.json'), 'utf8')) as Record<string, Want>;
const num = (v: number | string): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/** The decimals the fixture's tensors were made from in Python (torch.tensor(values, dtype=...)). */
const SOURCE: Record<string, [number[], torch.DType]> = {
  half: [[0.1, -2.5, 65504.0, 1e-7, -0.0, Infinity], 'float16'],
  half_nan: [[NaN, 1.0009765625, 3.0e-8], 'float16'],
  brain: [[0.1, -3e38, 1e-30, 257.0, -Infinity], 'bfloat16'],
  bytes: [[0, 1, 128, 255], 'uint8'],
  chars: [[-128, 127, 0, -1], 'int8'],
  shorts: [[-32768, 32767, 300], 'int16'],
  weight: [[0.5, -1.25], 'float32'],
};

describe('safetensors with the narrow dtypes, against bytes PyTorch wrote', () => {
  const loaded = torch.io.deserialize(new Uint8Array(file));

  it('reads each tensor as its own dtype, with PyTorch values and bits', () => {
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(want).sort());
    for (const [name, w] of Object.entries(want)) {
      const t = loaded[name]!;
      expect(t.dtype, name).toBe(w.dtype);
      expect(t.shape, name).toEqual(w.shape);
      expect(flat(t.tolist()), name).toEqual(w.values.map(num));
      if (w.bits) expect(Array.from(t.numpy().data as Uint16Array), name).toEqual(w.bits.map((b) => b & 0xffff));
    }
  });

  it('writes the file byte for byte, from what it read', () => {
    expect(Buffer.from(torch.io.serialize(loaded)).equals(file)).toBe(true);
  });

  it('writes the file byte for byte, from tensors made of the same decimals (the conversion rounds as PyTorch)', () => {
    const made: Record<string, torch.Tensor> = {};
    for (const [name, [values, dtype]] of Object.entries(SOURCE)) made[name] = torch.tensor(values, { dtype }).reshape(want[name]!.shape);
    expect(Buffer.from(torch.io.serialize(made)).equals(file)).toBe(true);
  });

  it('round-trips computed results on both devices (float16 arithmetic written as PyTorch stores it)', () => {
    for (const device of ['cpu', 'interp']) {
      const h = loaded.half!.to(device).mul(2).add(1);
      const back = torch.io.deserialize(torch.io.serialize({ h }));
      expect(back.h!.dtype).toBe('float16');
      // 0.1 -> 0.0999755859375 (float16), * 2 + 1 = 1.199951171875 -> 1.2001953125 after rounding to half each op.
      expect(flat(back.h!.tolist())).toEqual([1.2001953125, -4, Infinity, 1, 1, Infinity]);
    }
  });
});
