import { describe, expect, it } from 'vitest';
import { checkDType, DTypeError, promoteTypes, resultType, type DType } from '../../src/ir/index.js';

describe('type promotion (PyTorch rules)', () => {
  // torch.promote_types(a, b), written out from PyTorch's documented rules (torch.promote_types and the
  // "Type promotion" notes): bool < integers < floats by category; within a category the wider type wins.
  const table: [DType, DType, DType][] = [
    ['bool', 'bool', 'bool'],
    ['bool', 'int32', 'int32'],
    ['bool', 'int64', 'int64'],
    ['bool', 'float32', 'float32'],
    ['bool', 'float64', 'float64'],
    ['int32', 'int32', 'int32'],
    ['int32', 'int64', 'int64'],
    ['int32', 'float32', 'float32'],
    ['int32', 'float64', 'float64'],
    ['int64', 'int64', 'int64'],
    ['int64', 'float32', 'float32'], // a float type wins whatever the integer's width
    ['int64', 'float64', 'float64'],
    ['float32', 'float32', 'float32'],
    ['float32', 'float64', 'float64'],
    ['float64', 'float64', 'float64'],
  ];
  it.each(table)('promote_types(%s, %s) = %s', (a, b, want) => {
    expect(promoteTypes(a, b)).toBe(want);
    expect(promoteTypes(b, a)).toBe(want);
  });

  it('scalars only raise the category (an integral number or a bigint is an int, other numbers floats)', () => {
    expect(resultType({ dtype: 'int32', dim: 1 }, 2)).toBe('int32');
    expect(resultType({ dtype: 'int32', dim: 1 }, 2n)).toBe('int32');
    expect(resultType({ dtype: 'int64', dim: 1 }, 2)).toBe('int64');
    expect(resultType({ dtype: 'int32', dim: 1 }, 2.5)).toBe('float32');
    expect(resultType({ dtype: 'int64', dim: 1 }, 2.5)).toBe('float32');
    expect(resultType({ dtype: 'float64', dim: 1 }, 2.5)).toBe('float64');
    expect(resultType({ dtype: 'float32', dim: 1 }, 2)).toBe('float32');
    expect(resultType({ dtype: 'float32', dim: 1 }, 2n)).toBe('float32');
    // bool tensor + Python int: the default integer type, int64
    expect(resultType({ dtype: 'bool', dim: 1 }, 2)).toBe('int64');
    expect(resultType({ dtype: 'bool', dim: 1 }, true)).toBe('bool');
    // scalars alone: the default dtype of their category
    expect(resultType(1, 2)).toBe('int64');
    expect(resultType(1, 2.5)).toBe('float32');
  });

  it('zero-dim tensors act like scalars against dimensioned tensors', () => {
    // torch.ones(3, dtype=float32) + torch.tensor(1., dtype=float64) -> float32
    expect(resultType({ dtype: 'float32', dim: 1 }, { dtype: 'float64', dim: 0 })).toBe('float32');
    // torch.ones(3, dtype=int) + torch.tensor(1.5, dtype=float64) -> float64 (the category rises)
    expect(resultType({ dtype: 'int32', dim: 1 }, { dtype: 'float64', dim: 0 })).toBe('float64');
    // int32 tensor + int64 0-d tensor -> int32 (same category: the width does not rise)
    expect(resultType({ dtype: 'int32', dim: 1 }, { dtype: 'int64', dim: 0 })).toBe('int32');
    // two zero-dim tensors promote normally
    expect(resultType({ dtype: 'float32', dim: 0 }, { dtype: 'float64', dim: 0 })).toBe('float64');
    expect(resultType({ dtype: 'int32', dim: 0 }, { dtype: 'int64', dim: 0 })).toBe('int64');
  });
});

describe('dtype names', () => {
  it('accepts every dtype graft stores and refuses other names with a DTypeError', () => {
    for (const d of ['float16', 'bfloat16', 'uint8', 'int8', 'int16']) expect(checkDType(d, 'zeros')).toBe(d);
    expect(() => checkDType('complex64', 'zeros')).toThrow(DTypeError);
    expect(() => checkDType(undefined, 'to')).toThrow('to: unknown dtype undefined');
    expect(checkDType('int64', 'to')).toBe('int64');
  });
});
