import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { collectGarbage as gc } from '../collect.js';

describe('torch.memory()', () => {
  it('counts the bytes of realized buffers per device and forgets them when collected', async () => {
    await gc();
    const before = torch.memory().devices.cpu?.bytes ?? 0;
    let t: torch.Tensor | null = torch.ones(1000, 250).mul(2).realize(); // 1e6 bytes of float32 + its inputs
    const during = torch.memory();
    expect(during.devices.cpu!.bytes - before).toBeGreaterThanOrEqual(1_000_000);
    expect(during.tensors).toBeGreaterThan(0);
    expect(t.shape).toEqual([1000, 250]);
    t = null;
    await gc();
    expect(torch.memory().devices.cpu!.bytes - before).toBeLessThan(1_000_000);
  });
  it('a training-like loop keeps tensors and nodes flat', async () => {
    const w = torch.zeros(64, { requiresGrad: true });
    const opt = new torch.optim.SGD([w], { lr: 0.1 });
    const step = (): void => {
      opt.zeroGrad();
      w.mul(torch.rand(64)).sum().backward();
      opt.step();
    };
    for (let i = 0; i < 5; i++) step();
    await gc();
    const a = torch.memory();
    for (let i = 0; i < 30; i++) step();
    await gc();
    const b = torch.memory();
    expect(b.tensors - a.tensors).toBeLessThan(20);
    expect(b.nodes - a.nodes).toBeLessThan(50);
    expect(b.devices.cpu!.buffers - a.devices.cpu!.buffers).toBeLessThan(20);
  });
});
