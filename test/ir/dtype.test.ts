import { describe, expect, it } from 'vitest';
import { promoteTypes, resultType, type DType } from '../../src/ir/index.js';

describe('type promotion (PyTorch rules)', () => {
  // [a, b, torch.promote_types(a, b)], with int32 standing in for PyTorch's int64.
  const table: [DType, DType, DType][] = [
    ['bool', 'bool', 'bool'],
    ['bool', 'int32', 'int32'],
    ['bool', 'float32', 'float32'],
    ['int32', 'float32', 'float32'],
    ['int32', 'float64', 'float64'],
    ['float32', 'float64', 'float64'],
    ['float64', 'float32', 'float64'],
  ];
  it.each(table)('promote_types(%s, %s) = %s', (a, b, want) => {
    expect(promoteTypes(a, b)).toBe(want);
    expect(promoteTypes(b, a)).toBe(want);
  });

  it('scalars only raise the category', () => {
    expect(resultType({ dtype: 'int32', dim: 1 }, 2)).toBe('int32');
    expect(resultType({ dtype: 'int32', dim: 1 }, 2.5)).toBe('float32');
    expect(resultType({ dtype: 'float64', dim: 1 }, 2.5)).toBe('float64');
    expect(resultType({ dtype: 'float32', dim: 1 }, 2)).toBe('float32');
    expect(resultType({ dtype: 'bool', dim: 1 }, 2)).toBe('int32');
    expect(resultType({ dtype: 'bool', dim: 1 }, true)).toBe('bool');
  });

  it('zero-dim tensors act like scalars against dimensioned tensors', () => {
    // torch.ones(3, dtype=float32) + torch.tensor(1., dtype=float64) -> float32
    expect(resultType({ dtype: 'float32', dim: 1 }, { dtype: 'float64', dim: 0 })).toBe('float32');
    // torch.ones(3, dtype=int) + torch.tensor(1.5, dtype=float64) -> default float (float32)
    expect(resultType({ dtype: 'int32', dim: 1 }, { dtype: 'float64', dim: 0 })).toBe('float64');
    // two zero-dim tensors promote normally
    expect(resultType({ dtype: 'float32', dim: 0 }, { dtype: 'float64', dim: 0 })).toBe('float64');
  });
});
