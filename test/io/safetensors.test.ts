import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { writeFileAtomic } from '../../src/io/files.js';

const dir = mkdtempSync(join(tmpdir(), 'graft-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const enc = new TextEncoder();

/** A safetensors file assembled by hand: u64 LE header length, the header text as given, the data bytes. */
function fileBytes(header: string, data: number[] | Uint8Array = []): Uint8Array {
  const h = enc.encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
/** Pad a header with spaces to a multiple of 8 bytes, as the specification asks. */
const pad8 = (s: string): string => s + ' '.repeat((8 - (enc.encode(s).length % 8)) % 8);
const f32 = (...xs: number[]): Uint8Array => new Uint8Array(Float32Array.from(xs).buffer);

describe('safetensors writer: the bytes of the specification', () => {
  it('a 2x2 F32 tensor', () => {
    const w = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
    const header = '{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}';
    expect(header.length).toBe(57);
    const expected = fileBytes(header + '       ', f32(1, 2, 3, 4));
    expect(Array.from(torch.io.serialize({ w }))).toEqual(Array.from(expected));
  });

  it('matches the reference library test vectors byte for byte', () => {
    // From safetensors' own tests (tensor.rs: test_serialization, test_serialization_forced_alignement, test_empty).
    const t = torch.tensor([[[0, 1, 2], [3, 4, 5]]], { dtype: 'float32' });
    expect(Array.from(torch.io.serialize({ 'attn.0': t }))).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44,
      34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34,
      58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    const u = torch.tensor([[[[0, 1, 2], [3, 4, 5]]]], { dtype: 'float32' });
    expect(Array.from(torch.io.serialize({ attn0: u }))).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34,
      115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115,
      34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128,
      64, 0, 0, 160, 64,
    ]);
    expect(Array.from(torch.io.serialize({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(torch.io.serialize({}, { metadata: { framework: 'pt' } }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119,
      111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  it('orders tensors by decreasing dtype alignment, then name; metadata first with sorted keys', () => {
    const bytes = torch.io.serialize(
      {
        b: torch.tensor([1.5], { dtype: 'float32' }),
        m: torch.tensor([true, false, true]),
        a: torch.tensor([2.5], { dtype: 'float32' }),
        i: torch.tensor([-7], { dtype: 'int32' }),
        c: torch.tensor([0.1], { dtype: 'float64' }),
        l: torch.tensor([-7n]),
      },
      { metadata: { z: '1', a: '2' } },
    );
    // The reference library sorts by its Dtype enum (BOOL < ... < I32 < U32 < F32 < F64 < I64 < U64),
    // descending: I64 comes before F64.
    const header =
      '{"__metadata__":{"a":"2","z":"1"},' +
      '"l":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
      '"c":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},' +
      '"a":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},' +
      '"b":{"dtype":"F32","shape":[1],"data_offsets":[20,24]},' +
      '"i":{"dtype":"I32","shape":[1],"data_offsets":[24,28]},' +
      '"m":{"dtype":"BOOL","shape":[3],"data_offsets":[28,31]}}';
    const data = new Uint8Array(31);
    const dv = new DataView(data.buffer);
    dv.setBigInt64(0, -7n, true);
    dv.setFloat64(8, 0.1, true);
    dv.setFloat32(16, 2.5, true);
    dv.setFloat32(20, 1.5, true);
    dv.setInt32(24, -7, true);
    data.set([1, 0, 1], 28);
    expect(Array.from(bytes)).toEqual(Array.from(fileBytes(pad8(header), data)));
  });

  it('escapes names as JSON and keeps integer-like names in sorted order', () => {
    const bytes = torch.io.serialize({ '10': torch.tensor([1], { dtype: 'int32' }), '2': torch.tensor([2], { dtype: 'int32' }), 'q"\n': torch.tensor([3], { dtype: 'int32' }) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd();
    expect(header).toBe(
      '{"10":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"2":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},"q\\"\\n":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}}',
    );
  });
});

describe('safetensors reader', () => {
  it('reads a hand-built file', () => {
    const header = pad8('{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}');
    const t = torch.io.deserialize(fileBytes(header, f32(1, 2, 3, 4))).w!;
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 2]);
    expect(t.tolist()).toEqual([[1, 2], [3, 4]]);
  });

  it('reads "__metadata__": null as no metadata', () => {
    const r = torch.io.deserialize(fileBytes('{"__metadata__":null,"a":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', [1, 0]));
    expect(r.a!.tolist()).toEqual([true, false]);
  });

  it('reads tensors stored in any order of offsets, and unpadded headers', () => {
    const header = '{"b":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}';
    const data = new Uint8Array(Int32Array.of(11, 22).buffer);
    const r = torch.io.deserialize(fileBytes(header, data));
    expect(r.a!.shape).toEqual([]);
    expect(r.a!.item()).toBe(11);
    expect(r.b!.tolist()).toEqual([22]);
  });

  it('reads F16, BF16, I64, U8 and I8 as those dtypes', () => {
    const data = new Uint8Array(6 + 4 + 16 + 2 + 2);
    const dv = new DataView(data.buffer);
    [0x3c00, 0xc000, 0x7bff].forEach((h, i) => dv.setUint16(i * 2, h, true)); // 1, -2, 65504 in float16
    [0x3f80, 0xc040].forEach((h, i) => dv.setUint16(6 + i * 2, h, true)); // 1, -3 in bfloat16
    dv.setBigInt64(10, -5n, true);
    dv.setBigInt64(18, 2n ** 62n + 1n, true);
    data.set([255, 0], 26);
    dv.setInt8(28, -128);
    dv.setInt8(29, 127);
    const header =
      '{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"bf":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]},' +
      '"l":{"dtype":"I64","shape":[2],"data_offsets":[10,26]},"u":{"dtype":"U8","shape":[2],"data_offsets":[26,28]},' +
      '"s":{"dtype":"I8","shape":[2],"data_offsets":[28,30]}}';
    const r = torch.io.deserialize(fileBytes(header, data));
    expect(r.h!.dtype).toBe('float16');
    expect(r.h!.tolist()).toEqual([1, -2, 65504]);
    expect(r.bf!.dtype).toBe('bfloat16');
    expect(r.bf!.tolist()).toEqual([1, -3]);
    expect([r.u!.dtype, r.s!.dtype]).toEqual(['uint8', 'int8']);
    expect(r.l!.dtype).toBe('int64');
    expect(r.l!.tolist()).toEqual([-5, 2n ** 62n + 1n]);
    expect(r.u!.tolist()).toEqual([255, 0]);
    expect(r.s!.tolist()).toEqual([-128, 127]);
  });

  it('rejects a U64 value of 2^63 or more with a ValueError (it does not fit int64)', () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
    const bytes = fileBytes('{"l":{"dtype":"U64","shape":[1],"data_offsets":[0,8]}}', data);
    expect(() => torch.io.deserialize(bytes)).toThrow(torch.ValueError);
    expect(() => torch.io.deserialize(bytes)).toThrow(/18446744073709551615.*int64/);
  });
});

describe('safetensors malformed input: a FormatError, never a crash', () => {
  const good = '{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}';
  const bad = (what: string, bytes: Uint8Array, message: RegExp): void => {
    it(what, () => {
      expect(() => torch.io.deserialize(bytes)).toThrow(torch.FormatError);
      expect(() => torch.io.deserialize(bytes)).toThrow(message);
    });
  };
  const withLength = (n: bigint, rest: Uint8Array): Uint8Array => {
    const out = new Uint8Array(8 + rest.length);
    new DataView(out.buffer).setBigUint64(0, n, true);
    out.set(rest, 8);
    return out;
  };
  bad('fewer than 8 bytes', new Uint8Array([1, 2, 3]), /too small/);
  bad('header length past the end of the file', withLength(1000n, enc.encode(good)), /goes past the end/);
  bad('absurd header length (2^40)', withLength(1n << 40n, enc.encode(good)), /larger than the limit/);
  bad('absurd header length (2^64 - 1)', withLength((1n << 64n) - 1n, enc.encode(good)), /larger than the limit/);
  bad('header not UTF-8', withLength(2n, new Uint8Array([0xff, 0xfe])), /UTF-8/);
  bad('header not JSON', fileBytes('{"w": nope}'), /not valid JSON/);
  bad('header a JSON array', fileBytes('[1, 2]   '), /start with '\{'/);
  bad('header JSON followed by junk', fileBytes('{}xx'), /not valid JSON/);
  bad('entry not an object', fileBytes('{"w":[1,2]}'), /expected an object/);
  bad('unknown dtype', fileBytes('{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', [0]), /unknown or unsupported dtype "F8_E4M3"/);
  bad('dtype not a string', fileBytes('{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', f32(1)), /dtype must be a string/);
  bad('non-integer shape', fileBytes('{"w":{"dtype":"F32","shape":[2.5,2],"data_offsets":[0,20]}}', new Uint8Array(20)), /shape must be a list of non-negative integers/);
  bad('negative shape', fileBytes('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', f32(1)), /shape must be/);
  bad('shape not a list', fileBytes('{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}', f32(1, 2)), /shape must be/);
  bad('shape not matching the byte count', fileBytes('{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}', f32(1, 2, 3)), /needs 16 bytes.*hold 12/);
  bad('huge shape', fileBytes('{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}', f32(1)), /too large/);
  bad('offsets outside the data section', fileBytes(good, f32(1, 2)), /need 16 bytes of data but the file holds 8/);
  bad('offsets not two integers', fileBytes('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', f32(1)), /data_offsets must be two/);
  bad('offsets ending before they begin', fileBytes('{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}', f32(1)), /end before they begin/);
  bad(
    'overlapping tensors',
    fileBytes('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', f32(1, 2, 3)),
    /overlaps/,
  );
  bad(
    'a hole between tensors',
    fileBytes('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', f32(1, 2, 3)),
    /hole/,
  );
  bad('a hole at the start', fileBytes('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(1, 2)), /hole/);
  bad('trailing bytes after the data', fileBytes(good, f32(1, 2, 3, 4, 5)), /trailing bytes/);
  bad('metadata values not strings', fileBytes('{"__metadata__":{"a":1}}'), /object of strings/);
  bad('a nested state referring to a missing tensor', fileBytes('{"__metadata__":{"graft.state":"{\\"$graft.tensor\\":\\"x\\"}"}}'), /does not hold/);
  bad('a nested state that is not JSON', fileBytes('{"__metadata__":{"graft.state":"{"}}'), /not valid JSON/);

  it('malformed files on disk give the same errors through torch.load', () => {
    const p = join(dir, 'bad.safetensors');
    writeFileSync(p, fileBytes(good, f32(1)));
    expect(() => torch.load(p)).toThrow(torch.FormatError);
    expect(() => torch.load(p)).toThrow(/bad\.safetensors/);
    writeFileSync(p, new Uint8Array([255, 255, 255, 255, 255, 255, 255, 127]));
    expect(() => torch.load(p)).toThrow(/larger than the limit/);
  });
});

describe('torch.save / torch.load', () => {
  it('round-trips a state dict of every dtype, with 0-d and empty tensors', () => {
    const p = join(dir, 'model.safetensors');
    const sd = {
      'fc.weight': torch.tensor([[0.1, -0.2, 0.3], [1e-30, 3e38, -0]], { dtype: 'float32' }),
      'fc.bias': torch.tensor([Math.PI, -Math.E], { dtype: 'float64' }),
      steps: torch.tensor(12345, { dtype: 'int32' }),
      counts: torch.tensor([2n ** 62n + 1n, -(2n ** 63n)]),
      mask: torch.tensor([[true, false], [false, true]]),
      empty: torch.zeros(0, 3),
    };
    torch.save(sd, p);
    const back = torch.load(p);
    expect(Object.keys(back).sort()).toEqual(Object.keys(sd).sort());
    for (const [k, t] of Object.entries(sd)) {
      expect(back[k]!.dtype, k).toBe(t.dtype);
      expect(back[k]!.shape, k).toEqual(t.shape);
      expect(Array.from((back[k]!.dataSync()) as ArrayLike<number | bigint>, Number), k).toEqual(Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number));
    }
    expect(back.steps!.shape).toEqual([]);
    expect(torch.io.loadMetadata(p)).toBeNull();
  });

  it('saves the values of lazy results, views and non-contiguous tensors', () => {
    const p = join(dir, 'lazy.safetensors');
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
    torch.save(new Map([['y', x.mul(2).add(1)]]), p);
    expect(torch.load(p).y!.tolist()).toEqual([[3, 5, 7], [9, 11, 13]]);
  });

  it('round-trips nested checkpoints; other readers see dotted names', () => {
    const p = join(dir, 'ckpt.safetensors');
    const w = torch.tensor([[1, 2]], { dtype: 'float32' });
    const m = torch.tensor([0.5, 0.25], { dtype: 'float32' });
    const ckpt = {
      model: { 'fc.weight': w },
      optim: { state: new Map([[0, { momentum_buffer: m, step: 3 }]]), param_groups: [{ lr: 0.1, nesterov: false, params: [0], name: null }] },
      epoch: 7,
      note: 'hi',
    };
    torch.save(ckpt, p, { metadata: { format: 'pt' } });
    const back = torch.load<typeof ckpt & { optim: { state: Record<string, { momentum_buffer: torch.Tensor; step: number }> } }>(p);
    expect(back.model['fc.weight']!.tolist()).toEqual([[1, 2]]);
    expect(back.optim.state['0']!.momentum_buffer.tolist()).toEqual([0.5, 0.25]);
    expect(back.optim.state['0']!.step).toBe(3);
    expect(back.optim.param_groups).toEqual([{ lr: 0.1, nesterov: false, params: [0], name: null }]);
    expect(back.epoch).toBe(7);
    expect(back.note).toBe('hi');
    const flat = torch.io.loadFile(p);
    expect(Object.keys(flat).sort()).toEqual(['model.fc.weight', 'optim.state.0.momentum_buffer']);
    const meta = torch.io.loadMetadata(p)!;
    expect(meta.format).toBe('pt');
    expect(typeof meta['graft.state']).toBe('string');
  });

  it('a single tensor round-trips', () => {
    const p = join(dir, 'one.safetensors');
    torch.save(torch.tensor([1, 2, 3], { dtype: 'int32' }), p);
    const t = torch.load<torch.Tensor>(p);
    expect(t).toBeInstanceOf(torch.Tensor);
    expect(t.tolist()).toEqual([1, 2, 3]);
  });

  it('rejects what it cannot store, naming the path', () => {
    const p = join(dir, 'x.safetensors');
    expect(() => torch.save({ a: { f: () => 1 } }, p)).toThrow(/cannot save a function at "a\.f"/);
    expect(() => torch.save({ a: { b: torch.ones(1) }, 'a.b': torch.ones(1), c: 1 }, p)).toThrow(/same name "a\.b"/);
    expect(() => torch.save({ __metadata__: torch.ones(1) }, p)).toThrow(torch.ValueError);
    expect(() => torch.save({ a: torch.ones(1) }, p, { metadata: { n: 1 as unknown as string } })).toThrow(/option 'metadata.n' must be a string, not 1/);
  });

  it('puts loaded tensors on the requested device', () => {
    const p = join(dir, 'dev.safetensors');
    torch.save({ a: torch.ones(2) }, p);
    expect(torch.load(p, { device: 'interp' }).a!.device).toBe('interp');
    expect(torch.load(p).a!.device).toBe('cpu');
  });
});

describe('atomic saves', () => {
  it('a save that fails half-way leaves the previous file whole and no temporary file', () => {
    const folder = join(dir, 'atomic');
    mkdirSync(folder);
    const p = join(folder, 'w.safetensors');
    torch.save({ w: torch.tensor([1, 2, 3], { dtype: 'float32' }) }, p);
    const before = readFileSync(p);
    function* interrupted(): Generator<Uint8Array> {
      yield new Uint8Array(100).fill(7);
      throw new Error('disk on fire');
    }
    expect(() => writeFileAtomic('save', p, interrupted())).toThrow('disk on fire');
    expect(readFileSync(p).equals(before)).toBe(true);
    expect(readdirSync(folder)).toEqual(['w.safetensors']);
    // A save that fails before writing (a value it cannot store) changes nothing either.
    expect(() => torch.save({ w: Symbol('x') } as never, p)).toThrow(torch.ValueError);
    expect(readFileSync(p).equals(before)).toBe(true);
    expect(readdirSync(folder)).toEqual(['w.safetensors']);
    // And a successful save replaces it.
    torch.save({ w: torch.tensor([9], { dtype: 'float32' }) }, p);
    expect(torch.load(p).w!.tolist()).toEqual([9]);
    expect(readdirSync(folder)).toEqual(['w.safetensors']);
  });
});
