/**
 * float16, bfloat16, uint8, int8 and int16 through the tensor API, on the compiled cpu device and the interp
 * reference. Expected values are PyTorch 1.13's (printed by it) or worked out by hand from the formats; the
 * conformance category `dtypes` covers conversions, promotion, arithmetic, reductions and gradients at large.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectThrowsUnchanged } from './unchanged.js';

const DEVICES = ['cpu', 'interp'];

describe.each(DEVICES)('narrow dtypes on %s', (device) => {
  it('a fused float16 chain rounds after every op, as PyTorch eager: 0.1 * 3 - 0.3 is -2^-12', () => {
    // 0.1 -> 0.0999755859375; * 3 = 0.2999267578125, a tie between 1228 and 1229 steps of 2^-12: 1228
    // (even) -> 0.2998046875; 0.3 -> 0.300048828125; the difference is -2^-12 exactly. Rounded only at the
    // end (float32 throughout), it would be -7.3254e-5 (PyTorch prints both).
    const x = torch.tensor([0.1], { dtype: torch.float16, device });
    expect(x.mul(3).sub(0.3).item()).toBe(-(2 ** -12));
    expect(x.float().mul(3).sub(0.3).half().item()).toBe(-7.325410842895508e-5);
    // bfloat16: 0.1 -> 0.10009765625, * 3 -> 0.30078125 (rounded), 0.3 -> 0.30078125: 0 exactly (PyTorch: 0.0).
    expect(torch.tensor([0.1], { dtype: torch.bfloat16, device }).mul(3).sub(0.3).item()).toBe(0);
  });

  it('integers wrap to their width after every op; sums are int64', () => {
    const u = torch.tensor([200, 100, 255], { dtype: torch.uint8, device });
    expect(u.add(u).tolist()).toEqual([144, 200, 254]);
    expect(u.neg().tolist()).toEqual([56, 156, 1]);
    expect(u.sum().dtype).toBe('int64');
    expect(u.sum().item()).toBe(555);
    const c = torch.tensor([100, -128, 127], { dtype: torch.int8, device });
    expect(c.mul(2).tolist()).toEqual([-56, 0, -2]);
    expect(c.floorDivide(torch.tensor([3, -1, 2], { dtype: torch.int8, device })).tolist()).toEqual([33, -128, 63]);
    expect(c.abs().tolist()).toEqual([100, -128, 127]);
    expect(u.add(c).dtype).toBe('int16');
    expect(u.add(c).tolist()).toEqual([300, -28, 382]);
    const s = torch.tensor([30000, -32768], { dtype: torch.int16, device });
    expect(s.add(s).tolist()).toEqual([-5536, 0]);
  });

  it('creation: zeros, ones, full, arange, rand, randn in each dtype', () => {
    for (const d of [torch.float16, torch.bfloat16, torch.uint8, torch.int8, torch.int16]) {
      expect(torch.zeros(2, 3, { dtype: d, device }).sum().item()).toBe(0);
      expect(torch.ones(4, { dtype: d, device }).tolist()).toEqual([1, 1, 1, 1]);
      expect(torch.full([2], 7, { dtype: d, device }).tolist()).toEqual([7, 7]);
      expect(torch.arange(5, { dtype: d, device }).tolist()).toEqual([0, 1, 2, 3, 4]);
    }
    // PyTorch: torch.arange(0, 1, 0.1, dtype=torch.float16).tolist()
    expect(torch.arange(0, 1, 0.1, { dtype: torch.float16, device }).tolist()).toEqual([
      0.0, 0.0999755859375, 0.199951171875, 0.300048828125, 0.39990234375, 0.5, 0.60009765625, 0.7001953125, 0.7998046875, 0.89990234375,
    ]);
    for (const d of [torch.float16, torch.bfloat16]) {
      const r = torch.rand(1000, { dtype: d, device });
      expect(r.dtype).toBe(d);
      const v = r.dataSync();
      expect(v.every((x) => (x as number) >= 0 && (x as number) <= 1)).toBe(true);
      const n = torch.randn(1000, { dtype: d, device }).float();
      expect(Math.abs(n.mean().item())).toBeLessThan(0.2);
      expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.2);
    }
    expect(() => torch.rand(2, { dtype: torch.int8, device })).toThrow(torch.DTypeError);
  });

  it('conversion methods: half, bfloat16, byte, char, short', () => {
    const x = torch.tensor([300.7, -1.5, 0.1], { device });
    expect([x.half().dtype, x.bfloat16().dtype, x.byte().dtype, x.char().dtype, x.short().dtype]).toEqual(['float16', 'bfloat16', 'uint8', 'int8', 'int16']);
    expect(x.half().tolist()).toEqual([300.75, -1.5, 0.0999755859375]);
    expect(x.bfloat16().tolist()).toEqual([300, -1.5, 0.10009765625]);
    expect(x.byte().tolist()).toEqual([44, 255, 0]);
    expect(x.char().tolist()).toEqual([44, -1, 0]);
    expect(x.short().tolist()).toEqual([300, -1, 0]);
    expect(x.half().bfloat16().dtype).toBe('bfloat16');
  });

  it('matmul in float16 computes in float32 and rounds once', () => {
    // 2049 * 1 + 1 * 1 (exact in float32: 2050) rounds to 2050 in float16 (a multiple of 2); products rounded
    // one by one and summed in half would give 2048 + 1 -> 2048 (ties to even), then + 1 -> 2048.
    const a = torch.tensor([[2048, 1, 1]], { dtype: torch.float16, device });
    const b = torch.tensor([[1], [1], [1]], { dtype: torch.float16, device });
    expect(a.matmul(b).tolist()).toEqual([[2050]]);
    expect(a.matmul(b).dtype).toBe('float16');
  });

  it('gradients through float16 are float16', () => {
    const w = torch.tensor([0.1, 0.2, 0.3], { dtype: torch.float16, device, requiresGrad: true });
    w.mul(w).sum().backward();
    expect(w.grad!.dtype).toBe('float16');
    // 2 * w in half: 0.199951171875, 0.39990234375, 0.60009765625 (w's values doubled exactly).
    expect(w.grad!.tolist()).toEqual([0.199951171875, 0.39990234375, 0.60009765625]);
  });

  it('indexing, scatter, sort, where and in-place ops keep the dtype', () => {
    const h = torch.tensor([0.5, -1, 2049, 3], { dtype: torch.float16, device });
    expect(h.index([3n, 0n]).tolist()).toEqual([3, 0.5]);
    // 2049 is not a float16: it was stored as 2048 (a tie, to even).
    expect(h.sort().values.tolist()).toEqual([-1, 0.5, 3, 2048]);
    expect(h.argmax().item()).toBe(2);
    const idx = torch.tensor([0n, 0n, 2n], { device });
    const acc = torch.zeros(3, { dtype: torch.float16, device }).scatterAdd(0, idx, torch.tensor([1, 2048, 0.25], { dtype: torch.float16, device }));
    // 1 + 2048 = 2049, a tie in float16: 2048.
    expect([acc.dtype, acc.tolist()]).toEqual(['float16', [2048, 0, 0.25]]);
    const b = torch.tensor([250, 3], { dtype: torch.uint8, device });
    b.add_(10);
    expect(b.tolist()).toEqual([4, 13]);
    expect(torch.where(b.gt(5), b, torch.zeros(2, { dtype: torch.uint8, device })).tolist()).toEqual([0, 13]);
    const s = torch.tensor([[1, 2], [3, 4]], { dtype: torch.int16, device });
    expect(s.t().contiguous().tolist()).toEqual([[1, 3], [2, 4]]);
    expect(s.max(1).values.tolist()).toEqual([2, 4]);
  });

  it('printing, item, tolist', () => {
    expect(String(torch.tensor([1.5, 2], { dtype: torch.float16 }))).toBe('tensor([1.5000, 2.0000], dtype=torch.float16)');
    expect(String(torch.tensor([0.1, 1000.5], { dtype: torch.bfloat16 }))).toBe('tensor([1.0010e-01, 1.0000e+03], dtype=torch.bfloat16)');
    expect(String(torch.tensor([1, 2], { dtype: torch.uint8 }))).toBe('tensor([1, 2], dtype=torch.uint8)');
    expect(torch.tensor([65504], { dtype: torch.float16, device }).item()).toBe(65504);
    expect(torch.tensor([[-3]], { dtype: torch.int8, device }).tolist()).toEqual([[-3]]);
  });
});

describe('narrow dtypes: memory shared with JS and files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graft-narrow-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('numpy() of float16 is the bits in a Uint16Array (get/set convert); fromNumpy({ data, dtype }) shares it back', () => {
    const t = torch.tensor([1, -2, 0.5], { dtype: torch.float16 });
    const nd = t.numpy();
    expect(nd.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(nd.data as Uint16Array)).toEqual([0x3c00, 0xc000, 0x3800]);
    expect(nd.get(1)).toBe(-2);
    nd.set(0, 0.1);
    expect(t.tolist()).toEqual([0.0999755859375, -2, 0.5]);
    const back = torch.fromNumpy(nd);
    expect(back.dtype).toBe('float16');
    expect(back.numpy().data).toBe(nd.data);
    const u = torch.fromNumpy(torch.tensor([7, 250], { dtype: torch.uint8 }).numpy());
    expect([u.dtype, u.tolist()]).toEqual(['uint8', [7, 250]]);
    expect(() => torch.fromNumpy({ data: new Float32Array(2), shape: [2], dtype: 'float16' })).toThrow(torch.ArgumentError);
  });

  it('.npy round trip of float16, uint8, int8, int16; bfloat16 has no NumPy type', () => {
    for (const d of [torch.float16, torch.uint8, torch.int8, torch.int16]) {
      const t = torch.tensor([1, 2, 100], { dtype: d });
      const p = join(dir, `${d}.npy`);
      torch.saveNpy(t, p);
      const r = torch.loadNpy(p);
      expect([r.dtype, r.tolist()]).toEqual([d, [1, 2, 100]]);
    }
    const b = torch.ones(2, { dtype: torch.bfloat16 });
    expectThrowsUnchanged(() => torch.saveNpy(b, join(dir, 'b.npy')), torch.DTypeError, 'NumPy has no bfloat16', [b]);
  });

  it("PyTorch's errors: integer dtypes cannot require gradients; values must fit", () => {
    for (const d of [torch.uint8, torch.int8, torch.int16]) {
      expect(() => torch.ones(2, { dtype: d, requiresGrad: true })).toThrow(torch.DTypeError);
      expect(() => torch.ones(2, { dtype: d, requiresGrad: true })).toThrow('Only Tensors of floating point and complex dtype can require gradients');
    }
    const c = torch.tensor([1], { dtype: torch.int8 });
    expectThrowsUnchanged(() => c.requiresGrad_(), torch.DTypeError, 'Only Tensors of floating point and complex dtype can require gradients', [c]);
    expect(() => torch.tensor([300], { dtype: torch.int8 })).toThrow('value 300 cannot be converted to type int8 without overflow');
    expect(() => c.mean()).toThrow(torch.DTypeError);
  });
});

describe('narrow dtypes through nn and optim: cpu agrees with interp', () => {
  /** One SGD step of a Linear layer (and a conv) in `dtype` on `device`; returns the loss, the new weights and a conv output. */
  function step(device: string, dtype: torch.DType): number[][] {
    const lin = new torch.nn.Linear(3, 2).to({ dtype, device });
    torch.noGrad(() => {
      lin.weight.copy_(torch.tensor([[0.5, -0.25, 0.125], [1.5, 0.75, -1]], { dtype, device }));
      lin.bias!.copy_(torch.tensor([0.1, -0.2], { dtype, device }));
    });
    const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = torch.tensor([[1, 2, 3], [-1, 0.5, 2]], { dtype, device });
    const y = torch.tensor([[0.5, 1], [0, -1]], { dtype, device });
    const loss = torch.nn.functional.mseLoss(lin.forward(x), y);
    loss.backward();
    opt.step();
    const img = torch.arange(16, { dtype, device }).reshape(1, 1, 4, 4).div(8);
    const k = torch.tensor([[[[1, -1], [0.5, 0.25]]]], { dtype, device });
    const conv = torch.nn.functional.conv2d(img, k);
    expect([loss.dtype, lin.weight.dtype, conv.dtype]).toEqual([dtype, dtype, dtype]);
    return [[loss.item()], lin.weight.dataSync() as unknown as number[], lin.bias!.dataSync() as unknown as number[], conv.dataSync() as unknown as number[]].map((a) => Array.from(a));
  }
  it.each(['float16', 'bfloat16'] as const)('%s', (dtype) => {
    const [a, b] = [step('cpu', dtype), step('interp', dtype)];
    const ulp = dtype === 'float16' ? 2 ** -10 : 2 ** -7;
    a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - b[i]![j]!), `${i}.${j}: ${v} vs ${b[i]![j]}`).toBeLessThanOrEqual(ulp * Math.max(1, Math.abs(v)))));
    // The first output element by hand: 0.5 - 0.5 + 0.375 = 0.375, + bias 0.1 (0.0999755859375 in float16)
    // = 0.4749755859375, a tie between steps 1945 and 1946 of 2^-12: 1946 -> 0.47509765625.
    if (dtype === 'float16') {
      const lin = new torch.nn.Linear(3, 1).half();
      torch.noGrad(() => {
        lin.weight.copy_(torch.tensor([[0.5, -0.25, 0.125]]));
        lin.bias!.copy_(torch.tensor([0.1]));
      });
      expect(lin.forward(torch.tensor([[1, 2, 3]], { dtype })).item()).toBe(0.47509765625);
    }
  });
});

describe('Module.to(dtype), half(), bfloat16(), float(), double()', () => {
  it('converts floating parameters and buffers in place (the same Parameter objects); integer dtypes are refused', () => {
    const bn = new torch.nn.BatchNorm1d(2);
    const w = bn.weight!;
    bn.half();
    expect(bn.weight).toBe(w);
    expect([bn.weight!.dtype, bn.runningMean!.dtype, bn.numBatchesTracked!.dtype]).toEqual(['float16', 'float16', 'int64']);
    bn.to({ dtype: torch.bfloat16 });
    expect(bn.weight!.dtype).toBe('bfloat16');
    bn.float();
    expect(bn.weight!.dtype).toBe('float32');
    bn.double();
    expect(bn.runningVar!.dtype).toBe('float64');
    expect(() => bn.to(torch.int8)).toThrow('nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.int8');
    expect(bn.weight!.dtype).toBe('float64');
  });
});

describe('torch.compile with narrow dtypes', () => {
  it('replays return float16 and uint8 results with their dtypes (the plan says which: the arrays cannot)', () => {
    const f = torch.compile((x: torch.Tensor, b: torch.Tensor) => [x.mul(2), b.add(1)]);
    const x = torch.tensor([1.5, 0.1], { dtype: torch.float16 });
    const b = torch.tensor([255, 7], { dtype: torch.uint8 });
    for (let i = 0; i < 3; i++) {
      const [y, c] = f(x, b) as torch.Tensor[];
      expect([y!.dtype, y!.tolist()]).toEqual(['float16', [3, 0.199951171875]]);
      expect([c!.dtype, c!.tolist()]).toEqual(['uint8', [0, 8]]);
    }
  });
});

describe('torch.finfo and torch.iinfo', () => {
  it("PyTorch 1.13's values", () => {
    // torch.finfo(d): bits, eps, max, min, tiny, smallest_normal, resolution as PyTorch prints them.
    const f16 = torch.finfo(torch.float16);
    expect([f16.bits, f16.eps, f16.max, f16.min, f16.tiny, f16.smallestNormal, f16.resolution]).toEqual([16, 0.0009765625, 65504, -65504, 6.103515625e-5, 6.103515625e-5, 0.001]);
    const bf = torch.finfo(torch.bfloat16);
    expect([bf.bits, bf.eps, bf.max, bf.tiny, bf.resolution]).toEqual([16, 0.0078125, 3.3895313892515355e38, 1.1754943508222875e-38, 0.01]);
    expect([torch.finfo().eps, torch.finfo().max, torch.finfo(torch.float64).tiny]).toEqual([1.1920928955078125e-7, 3.4028234663852886e38, 2.2250738585072014e-308]);
    // Each half limit is what a float16 tensor holds: the largest finite value and the step above 1.
    expect(torch.tensor([f16.max, 1 + f16.eps], { dtype: torch.float16 }).tolist()).toEqual([65504, 1.0009765625]);
    expect([torch.iinfo(torch.uint8).min, torch.iinfo(torch.uint8).max, torch.iinfo(torch.int8).min, torch.iinfo(torch.int16).max]).toEqual([0, 255, -128, 32767]);
    expect([torch.iinfo(torch.int64).min, torch.iinfo(torch.int32).bits]).toEqual([-(2n ** 63n), 32]);
  });
  it("PyTorch's errors (TypeError: an ArgumentError)", () => {
    expect(() => torch.finfo(torch.int8)).toThrow(torch.ArgumentError);
    expect(() => torch.finfo(torch.int8)).toThrow('torch.finfo() requires a floating point input type');
    expect(() => torch.iinfo(torch.float16)).toThrow('torch.iinfo() requires an integer input type');
    expect(() => torch.iinfo(torch.bool)).toThrow('torch.bool is not supported by torch.iinfo');
    expect(() => torch.iinfo('complex64' as never)).toThrow(torch.DTypeError);
  });
});
