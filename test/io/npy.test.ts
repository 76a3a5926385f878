import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'graft-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(script: string): { ok: boolean; out: string } {
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', cwd: dir });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** An .npy file assembled by hand: magic, version, header length, header text (padded to 64 as numpy does), data. */
function npyBytes(dict: string, data: Uint8Array | number[] = [], opts: { major?: number; pad?: boolean } = {}): Uint8Array {
  const major = opts.major ?? 1;
  const lenBytes = major === 1 ? 2 : 4;
  let header = dict;
  if (opts.pad !== false) header += ' '.repeat((64 - ((8 + lenBytes + dict.length + 1) % 64)) % 64) + '\n';
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + lenBytes + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (lenBytes === 2) dv.setUint16(8, h.length, true);
  else dv.setUint32(8, h.length, true);
  out.set(h, 8 + lenBytes);
  out.set(data, 8 + lenBytes + h.length);
  return out;
}

describe('.npy writer', () => {
  it('writes the bytes np.save writes (header literal checked by hand)', () => {
    const t = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
    const bytes = torch.io.toNpy(t);
    // The dict, numpy's 20 spaces of room to grow the first axis, padding to 128 bytes, '\n'.
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + ' '.repeat(20);
    const headerLen = 128 - 10;
    const expected = new Uint8Array(128 + 24);
    expected.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, headerLen, 0]);
    expected.set(new TextEncoder().encode(dict.padEnd(headerLen - 1, ' ') + '\n'), 10);
    expected.set(new Uint8Array(Float32Array.of(1, 2, 3, 4, 5, 6).buffer), 128);
    expect(Array.from(bytes)).toEqual(Array.from(expected));
  });

  it('writes 0-d, 1-d and bool headers', () => {
    const text = (t: torch.Tensor): string => new TextDecoder().decode(torch.io.toNpy(t).subarray(10, 128)).trimEnd();
    expect(text(torch.tensor(3.5, { dtype: 'float64' }))).toBe("{'descr': '<f8', 'fortran_order': False, 'shape': (), }");
    expect(text(torch.tensor([true, false]))).toBe("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }");
    expect(text(torch.zeros([0], { dtype: 'int32' }))).toBe("{'descr': '<i4', 'fortran_order': False, 'shape': (0,), }");
    for (const t of [torch.tensor(1), torch.ones(3, 4, 5, 6, 7, 8, 9)]) expect(torch.io.toNpy(t).indexOf(0x0a) % 64).toBe(63);
  });
});

describe('.npy reader', () => {
  it('round-trips every dtype and shape through a file', () => {
    const cases = [
      torch.tensor([[0.1, -2], [3e38, 1e-40]], { dtype: 'float32' }),
      torch.tensor([Math.PI, -0, 1e300], { dtype: 'float64' }),
      torch.tensor([[[-2147483648, 2147483647]]], { dtype: 'int32' }),
      torch.tensor([true, false, true]),
      torch.tensor(7, { dtype: 'int32' }),
      torch.zeros(2, 0, 3),
    ];
    cases.forEach((t, i) => {
      const p = join(dir, `rt${i}.npy`);
      torch.saveNpy(t, p);
      const back = torch.loadNpy(p);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(Array.from((back.dataSync()) as ArrayLike<number | bigint>, Number)).toEqual(Array.from((t.dataSync()) as ArrayLike<number | bigint>, Number));
    });
  });

  it('reads big-endian, fortran order, format 2.0/3.0, python-2 longs and converts foreign types', () => {
    const be = new Uint8Array(16);
    new DataView(be.buffer).setFloat64(0, 1.5, false);
    new DataView(be.buffer).setFloat64(8, -2, false);
    expect(torch.io.fromNpy(npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be)).tolist()).toEqual([1.5, -2]);
    // Fortran order: shape (2, 3) stored column by column.
    const f = new Uint8Array(Int32Array.of(1, 4, 2, 5, 3, 6).buffer);
    const ft = torch.io.fromNpy(npyBytes("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", f));
    expect(ft.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const f3 = new Uint8Array(Int32Array.from([0, 4, 2, 6, 1, 5, 3, 7]).buffer); // (2,2,2) with element [i,j,k] = 4i+2j+k
    expect(torch.io.fromNpy(npyBytes("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2, 2), }", f3)).tolist()).toEqual([
      [[0, 1], [2, 3]],
      [[4, 5], [6, 7]],
    ]);
    const one = new Uint8Array(Float32Array.of(9).buffer);
    expect(torch.io.fromNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", one, { major: 2 })).tolist()).toEqual([9]);
    expect(torch.io.fromNpy(npyBytes('{"descr": "<f4", "fortran_order": False, "shape": (1,), }', one, { major: 3 })).tolist()).toEqual([9]);
    expect(torch.io.fromNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1L,), }", one)).tolist()).toEqual([9]);
    const i8 = new Uint8Array(16);
    new DataView(i8.buffer).setBigInt64(0, -3n, true);
    new DataView(i8.buffer).setBigInt64(8, 2n ** 62n + 1n, true);
    const l = torch.io.fromNpy(npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i8));
    expect(l.dtype).toBe('int64');
    expect(l.tolist()).toEqual([-3, 2n ** 62n + 1n]);
    const u4 = new Uint8Array(4);
    new DataView(u4.buffer).setUint32(0, 4294967295, true);
    const lu = torch.io.fromNpy(npyBytes("{'descr': '<u4', 'fortran_order': False, 'shape': (1,), }", u4));
    expect([lu.dtype, lu.tolist()]).toEqual(['int64', [4294967295]]);
    const u1 = torch.io.fromNpy(npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", [0, 128, 255]));
    expect([u1.dtype, u1.tolist()]).toEqual(['uint8', [0, 128, 255]]);
    const h = new Uint8Array(4);
    new DataView(h.buffer).setUint16(0, 0x3800, true); // 0.5 in float16
    new DataView(h.buffer).setUint16(2, 0xfc00, true); // -inf
    const f2 = torch.io.fromNpy(npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", h));
    expect([f2.dtype, f2.tolist()]).toEqual(['float16', [0.5, -Infinity]]);
    const b = torch.io.fromNpy(npyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", [0, 1]));
    expect(b.tolist()).toEqual([false, true]);
  });

  it('a uint64 of 2^63 or more is a ValueError (it does not fit int64)', () => {
    const u8 = new Uint8Array(16);
    new DataView(u8.buffer).setBigUint64(0, 2n ** 63n - 1n, true);
    expect(torch.io.fromNpy(npyBytes("{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }", u8.subarray(0, 8))).tolist()).toEqual([2n ** 63n - 1n]);
    new DataView(u8.buffer).setBigUint64(8, 2n ** 63n, true);
    expect(() => torch.io.fromNpy(npyBytes("{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", u8))).toThrow(/9223372036854775808.*int64/);
  });
});

describe('.npy malformed input: a FormatError, never a crash', () => {
  const f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const data = new Uint8Array(Float32Array.of(1, 2).buffer);
  const bad = (what: string, bytes: Uint8Array, message: RegExp): void => {
    it(what, () => {
      expect(() => torch.io.fromNpy(bytes)).toThrow(torch.FormatError);
      expect(() => torch.io.fromNpy(bytes)).toThrow(message);
    });
  };
  const good = npyBytes(f4, data);
  bad('too small', good.subarray(0, 5), /too small/);
  bad('bad magic', Uint8Array.from(good, (b, i) => (i === 1 ? 0x58 : b)), /magic/);
  bad('unknown version', Uint8Array.from(good, (b, i) => (i === 6 ? 9 : b)), /version 9\.0/);
  bad('header length past the end', Uint8Array.from(good.subarray(0, 60), (b, i) => (i === 9 ? 0xff : b)), /goes past the end/);
  bad('header not a literal', npyBytes("{'descr': <f4}", data), /cannot parse/);
  bad('header not a dict', npyBytes("('<f4', False, (2,))", data), /not a dict/);
  bad('unterminated header', npyBytes("{'descr': '<f4', 'shape': (2,", data), /cannot parse/);
  bad('missing keys', npyBytes("{'descr': '<f4', 'shape': (2,), }", data), /exactly the keys/);
  bad('extra keys', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", data), /exactly the keys/);
  bad('unknown descr', npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", data), /unsupported dtype descr "<c8"/);
  bad('object descr', npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", data), /unsupported dtype descr/);
  bad(
    'structured descr',
    npyBytes("{'descr': [('a', '<f4'), ('b', '<i2', (2,))], 'fortran_order': False, 'shape': (2,), }", data),
    /structured dtypes are not supported \(descr \[\('a', '<f4'\), \('b', '<i2', \(2,\)\)\]\)/,
  );
  bad('| with a multi-byte type', npyBytes("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", data), /unsupported dtype descr/);
  bad('fortran_order not a bool', npyBytes("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", data), /fortran_order/);
  bad('shape a list', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", data), /shape must be a tuple/);
  bad('negative shape', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", data), /shape must be a tuple/);
  bad('shape of strings', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': ('2',), }", data), /shape must be a tuple/);
  bad('too little data', npyBytes(f4, data.subarray(0, 6)), /needs 8 bytes of data but the file holds 6/);
  bad('too much data', npyBytes(f4, new Uint8Array(12)), /needs 8 bytes of data but the file holds 12/);
  bad('huge shape', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", data), /too large/);
  bad('deeply nested literal', npyBytes('('.repeat(5000), data), /nested too deeply/);

  it('malformed files on disk through loadNpy', () => {
    const p = join(dir, 'bad.npy');
    writeFileSync(p, good.subarray(0, good.length - 1));
    expect(() => torch.loadNpy(p)).toThrow(torch.FormatError);
    expect(() => torch.loadNpy(p)).toThrow(/bad\.npy/);
  });
});

// One python3 run for the whole cross-check (starting python with numpy takes seconds): graft writes its files,
// python checks them and writes its own, the tests below read the verdicts and numpy's files.
const GRAFT_NPY = {
  f32: (): torch.Tensor => torch.tensor([[1.5, -2.25, 3], [4, 5, 6e-8]], { dtype: 'float32' }),
  f64: (): torch.Tensor => torch.tensor([Math.PI, -1e-300], { dtype: 'float64' }),
  i32: (): torch.Tensor => torch.tensor([[[-7, 8]], [[2147483647, -2147483648]]], { dtype: 'int32' }),
  i64: (): torch.Tensor => torch.tensor([2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n]),
  b: (): torch.Tensor => torch.tensor([true, false, false]),
  s: (): torch.Tensor => torch.tensor(2.5, { dtype: 'float64' }),
};
const CROSS_CHECK = `
import sys
try:
    import numpy as np
except ImportError:
    print('no-numpy'); sys.exit(0)
import io, json, struct

def check(name, fn):
    try:
        fn(); print(name, 'ok')
    except Exception as e:
        print(name, 'FAILED', repr(e))

def graft_npy():
    expect = {
      'f32': np.array([[1.5, -2.25, 3], [4, 5, 6e-8]], dtype='<f4'),
      'f64': np.array([np.pi, -1e-300], dtype='<f8'),
      'i32': np.array([[[-7, 8]], [[2147483647, -2147483648]]], dtype='<i4'),
      'i64': np.array([2**62 + 1, -2**63, 2**63 - 1], dtype='<i8'),
      'b': np.array([True, False, False]),
      's': np.array(2.5),
    }
    for k, e in expect.items():
        a = np.load('g_%s.npy' % k)
        assert a.dtype == e.dtype and a.shape == e.shape, (k, a.dtype, a.shape)
        assert np.array_equal(a, e), (k, a, e)
        buf = io.BytesIO(); np.save(buf, e)
        assert open('g_%s.npy' % k, 'rb').read() == buf.getvalue(), k

def graft_safetensors():
    raw = open('x.safetensors', 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    assert n % 8 == 0
    h = json.loads(raw[8:8 + n])
    assert h.pop('__metadata__') == {'format': 'pt'}
    data = raw[8 + n:]
    types = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4', 'I64': '<i8', 'BOOL': '?'}
    out = {}
    end = 0
    for k, v in sorted(h.items(), key=lambda kv: kv[1]['data_offsets']):
        b, e = v['data_offsets']
        assert b == end
        end = e
        out[k] = np.frombuffer(data[b:e], dtype=types[v['dtype']]).reshape(v['shape'])
    assert end == len(data)
    assert np.array_equal(out['w'], np.array([[1, 2, 3], [4, 5, 6]], dtype='<f4'))
    assert out['d'][0] == 0.1 and out['i'].tolist() == [-3, 4] and out['m'].tolist() == [True, False]
    assert out['l'].tolist() == [2**62 + 1, -7], out['l']
    assert list(h) == ['l', 'd', 'w', 'i', 'm'], list(h)

def numpy_writes():
    np.save('n_f32.npy', np.arange(24, dtype='<f4').reshape(2, 3, 4) / 7)
    np.save('n_fortran.npy', np.asfortranarray(np.arange(12, dtype='<f8').reshape(3, 4)))
    np.save('n_be.npy', np.array([1.25, -3.5], dtype='>f4'))
    np.save('n_i64.npy', np.array([[-5, 6], [7, 2**62 + 1]], dtype='<i8'))
    np.save('n_u8.npy', np.array([0, 200, 255], dtype='u1'))
    np.save('n_bool.npy', np.array([[True], [False]]))
    np.save('n_f16.npy', np.array([0.5, 65504, -1], dtype='<f2'))
    np.save('n_empty.npy', np.zeros((0, 5), dtype='<f8'))
    np.save('n_scalar.npy', np.int32(-9))

check('graft_npy', graft_npy)
check('graft_safetensors', graft_safetensors)
check('numpy_writes', numpy_writes)
`;
let crossCheckResult: { available: boolean; lines: string[] } | null = null;
function crossCheck(): { available: boolean; lines: string[] } {
  if (crossCheckResult) return crossCheckResult;
  for (const [k, make] of Object.entries(GRAFT_NPY)) torch.saveNpy(make(), join(dir, `g_${k}.npy`));
  torch.save(
    {
      w: torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' }),
      d: torch.tensor([0.1], { dtype: 'float64' }),
      i: torch.tensor([-3, 4], { dtype: 'int32' }),
      l: torch.tensor([2n ** 62n + 1n, -7n]),
      m: torch.tensor([true, false]),
    },
    join(dir, 'x.safetensors'),
    { metadata: { format: 'pt' } },
  );
  const r = python(CROSS_CHECK);
  const available = r.ok && !r.out.includes('no-numpy');
  crossCheckResult = { available, lines: r.out.trim().split('\n') };
  return crossCheckResult;
}
const verdict = (name: string): string | undefined => crossCheck().lines.find((l) => l.startsWith(`${name} `));

describe('NumPy cross-check (python3 with numpy; skipped without)', () => {
  it('numpy reads what graft writes to .npy, and np.save writes the same bytes', (ctx) => {
    if (!crossCheck().available) ctx.skip();
    expect(verdict('graft_npy')).toBe('graft_npy ok');
  });

  it('a reader written with numpy and json parses graft safetensors files', (ctx) => {
    if (!crossCheck().available) ctx.skip();
    expect(verdict('graft_safetensors')).toBe('graft_safetensors ok');
  });

  it('graft reads what numpy writes', (ctx) => {
    if (!crossCheck().available) ctx.skip();
    expect(verdict('numpy_writes')).toBe('numpy_writes ok');
    const load = (n: string): torch.Tensor => torch.loadNpy(join(dir, `n_${n}.npy`));
    const f32 = load('f32');
    expect([f32.dtype, f32.shape]).toEqual(['float32', [2, 3, 4]]);
    expect(Array.from((f32.dataSync()) as ArrayLike<number | bigint>, Number)).toEqual(Array.from({ length: 24 }, (_, i) => Math.fround(Math.fround(i) / 7)));
    const fo = load('fortran');
    expect([fo.dtype, fo.shape]).toEqual(['float64', [3, 4]]);
    expect(Array.from((fo.dataSync()) as ArrayLike<number | bigint>, Number)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(load('be').tolist()).toEqual([1.25, -3.5]);
    const i64 = load('i64');
    expect(i64.dtype).toBe('int64');
    expect(i64.tolist()).toEqual([[-5, 6], [7, 2n ** 62n + 1n]]);
    expect(load('u8').tolist()).toEqual([0, 200, 255]);
    expect(load('bool').tolist()).toEqual([[true], [false]]);
    expect(load('f16').tolist()).toEqual([0.5, 65504, -1]);
    expect(load('empty').shape).toEqual([0, 5]);
    const sc = load('scalar');
    expect([sc.dtype, sc.shape, sc.item()]).toEqual(['int32', [], -9]);
  });
});
