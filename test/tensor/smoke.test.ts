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
    const b = torch.tensor([1, 2, 3]);
    expect(b.dtype).toBe('int32');
    const q = b.div(2);
    expect(q.dtype).toBe('float32');
    expectClose(q.tolist(), [0.5, 1, 1.5]);
  });
  it('raises ZeroDivisionError for integer floor division by zero', () => {
    expect(() => torch.tensor([1, 2]).floorDivide(0)).toThrow(torch.ZeroDivisionError);
  });
});
