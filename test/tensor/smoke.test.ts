import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { expectClose } from '../helpers.js';

describe('tensor basics', () => {
  it('adds, multiplies and mutates in place', () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
    const z = x.add(torch.ones(2, 3)).mul(2);
    expect(z.tolist()).toEqual([[4, 6, 8], [10, 12, 14]]);
    z.add_(1);
    expect(z.tolist()).toEqual([[5, 7, 9], [11, 13, 15]]);
  });
  it('promotes int / int to float32', () => {
    const b = torch.tensor([1n, 2n, 3n]);
    expect(b.dtype).toBe('int64');
    const q = b.div(2);
    expect(q.dtype).toBe('float32');
    expectClose(q.tolist(), [0.5, 1, 1.5]);
  });
  it('raises ZeroDivisionError for integer floor division by zero', () => {
    expect(() => torch.tensor([1n, 2n]).floorDivide(0)).toThrow(torch.ZeroDivisionError);
  });
});

describe('devices', () => {
  it('reports no CUDA where there is none, and x.cuda() says so with a DeviceError', () => {
    expect(torch.cuda.isAvailable()).toBe(false);
    expect(torch.cuda.deviceCount()).toBe(0);
    const x = torch.ones(2);
    expect(() => x.cuda()).toThrow(torch.DeviceError);
    expect(() => x.cuda()).toThrow(/CUDA is not available/);
    expect(() => x.to('cuda:0')).toThrow(torch.DeviceError);
    expect(x.device).toBe('cpu');
    expect(x.tolist()).toEqual([1, 1]);
  });
  it('moves between host devices with a copy', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32' });
    const y = x.to('interp');
    expect(y.device).toBe('interp');
    y.add_(1);
    expect(x.tolist()).toEqual([1, 2, 3]);
    expect(y.tolist()).toEqual([2, 3, 4]);
    expect(() => x.add(y)).toThrow(/Expected all tensors to be on the same device/);
  });
});
