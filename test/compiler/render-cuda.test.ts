/**
 * render/cuda: which schedule each kernel gets (grid-stride rows, block-tree reductions with warp shuffles,
 * shared-memory tiled contractions), launch shapes, generated names, and that the C target's plans are what
 * they were (C text unchanged by the seam). Every module rendered here is compiled by nvcc for sm_90.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { planProgram } from '../../src/compiler/compile.js';
import { cTarget, CUDA_TARGET } from '../../src/compiler/target.js';
import { renderCudaFile } from '../../src/compiler/render/cuda/index.js';
import { structuralKey } from '../../src/ir/index.js';
import { NvccGate } from '../runtime/cuda-nvcc.js';

const nvcc = new NvccGate();

function plan(t: torch.Tensor, target = CUDA_TARGET) {
  const node = (t as unknown as { node: Parameters<typeof structuralKey>[0][number] }).node;
  const { inputs } = structuralKey([node]);
  const p = planProgram({ roots: [node], inputs, threads: 1, target }).plan;
  if (target.kind === 'cuda') nvcc.add(renderCudaFile(p.functions.map((f) => f.source)));
  return p;
}

describe('render/cuda', () => {
  afterAll(() => {
    expect(nvcc.compileAll()).toBe('');
  });

  it('elementwise: one thread per element over a grid-stride loop', () => {
    const p = plan(torch.rand(1000).mul(2).add(1).exp());
    expect(p.target).toBe('cuda');
    expect(p.functions).toHaveLength(1);
    const f = p.functions[0]!;
    expect(f.name).toMatch(/^k_[0-9a-f]{20}$/);
    expect(f.source).toContain(`__global__ void ${f.name}(`);
    expect(f.source).toContain('r_ < 1000L; r_ += (long)gridDim.x * blockDim.x');
    expect(f.launch).toEqual({ grid: [4, 1, 1], block: [256, 1, 1] });
  });

  it('contiguous float32 elementwise kernels read and write float4s', () => {
    const f = plan(torch.rand(1 << 14).realize().mul(2).add(torch.rand(1 << 14).realize())).functions[0]!;
    expect(f.source).toContain('*reinterpret_cast<const float4 *>(');
    expect(f.source).toContain('if (aligned_) {');
    expect(f.launch).toEqual({ grid: [16, 1, 1], block: [256, 1, 1] });
    // Broadcast reads are not unit-stride: one thread per element.
    expect(plan(torch.rand(64, 256).realize().add(torch.rand(256).realize())).functions[0]!.source).not.toContain('float4');
  });

  it('long rows reduce as block trees with warp shuffles; short rows one thread each', () => {
    const long = plan(torch.softmax(torch.rand(8, 3000), 1)).functions[0]!;
    expect(long.source).toContain('__shfl_down_sync(0xffffffffu');
    expect(long.source).toContain('__syncthreads();');
    expect(long.launch).toEqual({ grid: [8, 1, 1], block: [256, 1, 1] });
    const short = plan(torch.rand(500, 10).sum(1)).functions[0]!;
    expect(short.source).not.toContain('__shfl');
    expect(short.launch).toEqual({ grid: [2, 1, 1], block: [256, 1, 1] });
  });

  it('few very long rows are split over blocks, with scratch for the slices', () => {
    const p = plan(torch.rand(1 << 17).sum());
    const f = p.functions[0]!;
    expect(f.source).toContain('void *__restrict__ scratch_');
    expect(f.launch).toEqual({ grid: [8, 1, 1], block: [256, 1, 1] });
    expect(p.slots.some((s) => s.role.kind === 'scratch')).toBe(true);
    expect(plan(torch.rand(4, 1 << 17).softmax(1)).functions.every((g) => !g.source.includes('scratch_'))).toBe(true);
  });

  it('float contractions tile through shared memory; tiny ones are one thread per output', () => {
    const big = plan(torch.rand(100, 64).matmul(torch.rand(64, 70))).functions[0]!;
    expect(big.source).toContain('__shared__ float As_[16][64];');
    expect(big.launch).toEqual({ grid: [2, 2, 1], block: [16, 16, 1] });
    const tiny = plan(torch.rand(3, 4).matmul(torch.rand(4, 2))).functions[0]!;
    expect(tiny.source).not.toContain('__shared__');
  });

  it('scatter-adds run on one thread; errors go to the error word', () => {
    const idx = torch.tensor([0, 2, 2], { dtype: 'int64' });
    const p = plan(torch.zeros(4).scatterAdd(0, idx, torch.ones(3)));
    const f = p.functions.find((g) => g.source.includes('atomicOr(graft_err, err)'))!;
    expect(f).toBeDefined();
    expect(p.functions.some((g) => g.launch!.block[0] === 1)).toBe(true);
  });

  it('the C target plans as before (no launch shapes, no target mark)', () => {
    const t = torch.softmax(torch.rand(8, 3000), 1);
    const a = plan(t, cTarget(2) as never);
    expect(a.target).toBeUndefined();
    expect(a.functions.every((f) => f.launch === undefined && !f.source.includes('__global__') && /\bint k_[0-9a-f]{20}\(void \*\*restrict bufs\)/.test(f.source))).toBe(true);
  });
});
