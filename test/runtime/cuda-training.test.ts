/**
 * Autograd, nn and optim on the emulated `cuda:0`: gradients and a few SGD steps of a small conv net agree
 * with the same computation on the cpu; moving tensors and modules; torch.cuda's surface; PyTorch's errors
 * for mixed devices and numpy(). Every CUDA module generated here is also compiled by nvcc for sm_90.
 */
import './cuda-env.js';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { DeviceError } from '../../src/ir/index.js';
import { CudaDevice, gcFunctionOrNull, getDevice } from '../../src/runtime/index.js';
import { expectClose } from '../helpers.js';
import { gateModulesOf } from './cuda-nvcc.js';

gateModulesOf(getDevice('cuda:0') as CudaDevice);

const values = (t: torch.Tensor): number[] => Array.from(t.cpu().dataSync() as ArrayLike<number | bigint>, Number);

function net(): torch.nn.Module {
  torch.manualSeed(3);
  return new torch.nn.Sequential(
    new torch.nn.Conv2d(1, 3, 3, { padding: 1 }),
    new torch.nn.ReLU(),
    new torch.nn.Flatten(),
    new torch.nn.Linear(3 * 6 * 6, 4),
  );
}

describe('training on cuda (emulated)', () => {

  it('backward gives the cpu gradients', () => {
    torch.manualSeed(1);
    const x0 = torch.randn(5, 4);
    const w0 = torch.randn(4, 3);
    const grads = (device: string): number[][] => {
      const x = x0.to(device).requiresGrad_();
      const w = w0.to(device).requiresGrad_();
      const loss = torch.softmax(x.matmul(w).tanh(), 1).mul(torch.arange(3, { device }).float()).sum();
      loss.backward();
      expect(x.grad!.device).toBe(device === 'cpu' ? 'cpu' : 'cuda:0');
      return [values(loss), values(x.grad!), values(w.grad!)];
    };
    const cpu = grads('cpu');
    const cuda = grads('cuda');
    cpu.forEach((g, i) => expectClose(cuda[i], g, { rtol: 1e-4, atol: 1e-5 }));
  });

  it('an nn.Module trained by SGD on cuda matches the cpu', () => {
    torch.manualSeed(2);
    const xs = torch.randn(8, 1, 6, 6);
    const ys = torch.randint(0, 4, [8]);
    const run = (device: string): number[] => {
      const m = net().to(device);
      const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        const loss = torch.nn.functional.crossEntropy(m.forward(xs.to(device)) as torch.Tensor, ys.to(device));
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
      for (const p of m.parameters()) expect(p.device).toBe(device === 'cpu' ? 'cpu' : 'cuda:0');
      return [...losses, ...m.parameters().flatMap((p) => values(p))];
    };
    const cpu = run('cpu');
    const cuda = run('cuda');
    expectClose(cuda, cpu, { rtol: 1e-3, atol: 1e-4 });
    expect(cuda[2]!).toBeLessThan(cuda[0]!);
  });

  it('round trips every dtype through cuda', () => {
    const cases: [torch.Tensor, unknown[]][] = [
      [torch.tensor([1.5, -2, 3]), [1.5, -2, 3]],
      [torch.tensor([1.5, -2], { dtype: 'float64' }), [1.5, -2]],
      [torch.tensor([7, -8], { dtype: 'int32' }), [7, -8]],
      [torch.tensor([2n ** 60n, -3n], { dtype: 'int64' }), [2n ** 60n, -3]],
      [torch.tensor([true, false, true]), [true, false, true]],
    ];
    for (const [t, want] of cases) {
      const c = t.cuda();
      expect(c.isCuda).toBe(true);
      expect(c.dtype).toBe(t.dtype);
      expect(c.cpu().tolist()).toEqual(want);
      expect(c.to('cpu').device).toBe('cpu');
    }
    const v = torch.arange(12).reshape(3, 4).cuda().t().index('1:3');
    expect(v.cpu().tolist()).toEqual([[1, 5, 9], [2, 6, 10]]);
  });

  it("torch.cuda's surface and the caching allocator", () => {
    expect(torch.cuda.isAvailable()).toBe(true);
    expect(torch.cuda.deviceCount()).toBe(1);
    expect(torch.cuda.getDeviceName()).toBe('graft CUDA emulator');
    torch.cuda.synchronize();
    const before = torch.cuda.memoryAllocated();
    const big = torch.zeros(1 << 18, { device: 'cuda' }).realize();
    expect(torch.cuda.memoryAllocated()).toBeGreaterThanOrEqual(before + 4 * (1 << 18));
    expect(values(big.add(1).sum())).toEqual([1 << 18]);
    torch.cuda.emptyCache();
    expect(torch.cuda.memoryReserved()).toBe(torch.cuda.memoryAllocated());
    expect(() => torch.cuda.getDeviceName('cpu')).toThrow(DeviceError);
    expect(() => torch.ones(2).to('cuda:1')).toThrow('cuda:1: CUDA error: invalid device ordinal (the CUDA devices are cuda:0)');
  });

  it("PyTorch's errors for mixed devices and numpy()", () => {
    const a = torch.ones(3, { device: 'cuda' });
    const b = torch.ones(3);
    expect(() => a.add(b)).toThrow('Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!');
    expect(() => a.numpy()).toThrow("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.");
    expect(a.numpy({ force: true }).data).toEqual(new Float32Array([1, 1, 1]));
  });

  it('a training loop that never yields reuses the device memory of buffers V8 collected (release tokens)', () => {
    const lin = new torch.nn.Linear(64, 64).cuda();
    const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.01 });
    const x = torch.rand(32, 64).cuda();
    const gc = gcFunctionOrNull();
    expect(gc).not.toBeNull();
    const start = torch.cuda.memoryAllocated();
    let peak = 0;
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      lin.call(x).pow(2).mean().backward();
      opt.step();
      // What JS allocation pressure does in a real loop: collections now and then, never an event-loop turn.
      if (i % 50 === 49) gc!();
      peak = Math.max(peak, torch.cuda.memoryAllocated());
    }
    // About 35 KB of buffers per step: without reclaiming, 300 steps would hold over 10 MB.
    expect(peak - start).toBeLessThan(4 * 2 ** 20);
  });
});

