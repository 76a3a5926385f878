import './cuda-env.js';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

describe('cuda device (emulated)', () => {
  it('adds', () => {
    const a = torch.tensor([1, 2, 3]).cuda();
    const b = torch.tensor([10, 20, 30], { device: 'cuda' });
    const c = a.add(b).mul(2);
    expect(c.device).toBe('cuda:0');
    expect(Array.from(c.cpu().dataSync())).toEqual([22, 44, 66]);
  });
});
