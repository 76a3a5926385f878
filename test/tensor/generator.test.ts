import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

describe('torch.Generator', () => {
  it('is xoshiro128**: the reference outputs for the state [1, 2, 3, 4]', () => {
    // First outputs of the reference C implementation from s = {1, 2, 3, 4}.
    const g = new torch.Generator().setState([1, 2, 3, 4]);
    const got = Array.from({ length: 6 }, () => g.nextUint32());
    expect(got).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('same seed, same stream; different seeds, different streams', () => {
    const a = new torch.Generator().manualSeed(42);
    const b = new torch.Generator().manualSeed(42);
    const c = new torch.Generator().manualSeed(43);
    const xa = Array.from({ length: 8 }, () => a.nextUint32());
    const xb = Array.from({ length: 8 }, () => b.nextUint32());
    const xc = Array.from({ length: 8 }, () => c.nextUint32());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    expect(a.initialSeed()).toBe(42n);
  });

  it('getState / setState restore the stream', () => {
    const g = new torch.Generator().manualSeed(7);
    g.nextUint32();
    const st = g.getState();
    const next = [g.nextUint32(), g.nextUint32()];
    g.setState(st);
    expect([g.nextUint32(), g.nextUint32()]).toEqual(next);
    expect(() => g.setState([0, 0, 0, 0])).toThrow(torch.ValueError);
    expect(() => g.setState([1, 2])).toThrow(torch.ValueError);
  });

  it('random() is in [0, 1) and below(n) is in range and roughly uniform', () => {
    const g = new torch.Generator().manualSeed(1);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6000; i++) {
      const u = g.random();
      expect(u >= 0 && u < 1).toBe(true);
      counts[g.below(6)]!++;
    }
    // Each bin expects 1000 with sd ~29; 5 sd of slack.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(() => g.below(0)).toThrow(torch.ValueError);
  });
});

describe('torch.randperm', () => {
  it('is a permutation of 0..n-1, int64, reproducible with a generator', () => {
    const p = torch.randperm(50, { generator: new torch.Generator().manualSeed(3) });
    expect(p.dtype).toBe('int64');
    expect(p.shape).toEqual([50]);
    const vals = Array.from((p.dataSync()) as ArrayLike<number | bigint>, Number);
    expect([...vals].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const q = torch.randperm(50, { generator: new torch.Generator().manualSeed(3) });
    expect(Array.from((q.dataSync()) as ArrayLike<number | bigint>, Number)).toEqual(vals);
    const r = torch.randperm(50, { generator: new torch.Generator().manualSeed(4) });
    expect(Array.from((r.dataSync()) as ArrayLike<number | bigint>, Number)).not.toEqual(vals);
  });

  it('uses the default generator, which torch.manualSeed seeds', () => {
    torch.manualSeed(123);
    const a = Array.from((torch.randperm(20).dataSync()) as ArrayLike<number | bigint>, Number);
    torch.manualSeed(123);
    const b = Array.from((torch.randperm(20).dataSync()) as ArrayLike<number | bigint>, Number);
    expect(a).toEqual(b);
  });

  it('takes a float dtype, rejects bool and negative n', () => {
    const p = torch.randperm(4, { dtype: 'float64', generator: new torch.Generator().manualSeed(0) });
    expect(p.dtype).toBe('float64');
    expect([...p.dataSync()].sort()).toEqual([0, 1, 2, 3]);
    expect(() => torch.randperm(3, { dtype: 'bool' })).toThrow(torch.DTypeError);
    expect(() => torch.randperm(-1)).toThrow(torch.ValueError);
    expect(torch.randperm(0).shape).toEqual([0]);
  });
});
