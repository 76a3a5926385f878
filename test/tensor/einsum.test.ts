/** einsum lowers onto the canonical contraction: it plans as many kernels as the matmul it spells. */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';

const data = (...shape: number[]): torch.Tensor =>
  torch.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37))).reshape(...shape);

describe('einsum kernels', () => {
  test('bij,bjk->bik is one GEMM kernel, as bmm', () => {
    const a = data(2, 8, 16);
    const b = data(2, 16, 4);
    const e = torch.einsum('bij,bjk->bik', a, b);
    expect(torch.ir.kernels(e)).toHaveLength(torch.ir.kernels(torch.bmm(a, b)).length);
    expect(torch.ir.kernels(e)).toHaveLength(1);
    expect(e.sub(torch.bmm(a, b)).abs().max().item()).toBeLessThan(1e-5);
  });
  test('a transposed output and an elementwise epilogue stay one kernel', () => {
    const a = data(8, 16);
    const b = data(16, 4);
    expect(torch.ir.kernels(torch.einsum('ij,jk->ki', a, b).relu())).toHaveLength(1);
  });
  test('a chain of three operands is two contractions', () => {
    expect(torch.ir.kernels(torch.einsum('ij,jk,kl->il', data(4, 5), data(5, 6), data(6, 3)))).toHaveLength(2);
  });
});
