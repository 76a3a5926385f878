/**
 * Which kernels may write a value into the buffer of an input they read (compiler/lower/in-place.ts), checked
 * on the plans of small graphs: a pair is a promise that the kernel reads each element of the input only
 * where it writes the same element of the output, before writing it.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { CpuDevice } from '../../src/runtime/cpu.js';
import { getDevice } from '../../src/runtime/index.js';
import type { PlanKernel } from '../../src/compiler/plan.js';

function planOf(...roots: Tensor[]): { kernels: readonly PlanKernel[]; inputs: number; outputs: readonly number[] } {
  const cpu = getDevice('cpu') as CpuDevice;
  const { program } = cpu.program(roots.map((r) => r.node));
  return { kernels: program.plan.kernels, inputs: program.plan.nInputs, outputs: program.plan.outputs };
}

/** Input slots each kernel's output (by slot) may overwrite. */
function pairsBySlot(k: PlanKernel): [number, number][] {
  return (k.inPlace ?? []).map(([w, r]) => [k.args[w]!, k.args[r]!]);
}

describe('in-place pairs', () => {
  const a = torch.randn(64, 32).realize();
  const b = torch.randn(64, 32).realize();

  test('elementwise: every input read at the element written pairs with the output', () => {
    const { kernels, outputs } = planOf(a.mul(b).add(a));
    expect(kernels).toHaveLength(1);
    const pairs = pairsBySlot(kernels[0]!);
    expect(pairs).toContainEqual([outputs[0]!, 0]);
    expect(pairs).toContainEqual([outputs[0]!, 1]);
  });

  test('a transposed or flipped read does not pair; of a matrix plus a row, only the matrix pairs', () => {
    const sq = torch.randn(32, 32).realize();
    expect(planOf(sq.add(sq.t())).kernels.flatMap(pairsBySlot)).toEqual([]);
    expect(planOf(sq.flip(1).mul(3)).kernels.flatMap(pairsBySlot)).toEqual([]);
    const row = torch.randn(32).realize();
    const { kernels } = planOf(sq.add(row));
    const k = kernels[0]!;
    const slotOfBytes = (n: number): number => k.args[k.minBytes.indexOf(n)]!;
    const readers = pairsBySlot(k).map(([, r]) => r);
    expect(readers).toContain(slotOfBytes(32 * 32 * 4));
    expect(readers).not.toContain(slotOfBytes(32 * 4));
  });

  test('reductions: softmax (per-element output after row passes) never pairs; a per-row output does', () => {
    expect(planOf(torch.softmax(a, 1)).kernels.flatMap(pairsBySlot)).toEqual([]);
    // w - 0.1 * (x^T-like row sums): the row output reads w only at its element, x only in the pass.
    const w = torch.randn(64).realize();
    const { kernels, outputs } = planOf(w.sub(a.sum(1).mul(0.1)));
    expect(kernels).toHaveLength(1);
    const pairs = pairsBySlot(kernels[0]!);
    const wSlot = kernels[0]!.args.find((s) => s !== outputs[0] && pairs.some(([, r]) => r === s));
    expect(wSlot).toBeDefined();
    // `a` is read across each row: never a pair.
    const aSlot = kernels[0]!.args.find((s, i) => s < 2 && kernels[0]!.minBytes[i] === 64 * 32 * 4);
    expect(pairs.map(([, r]) => r)).not.toContain(aSlot);
  });

  test('a GEMM epilogue reading the updated weight pairs with it; the operands never do', () => {
    const x = torch.randn(256, 128).realize();
    const gy = torch.randn(256, 96).realize();
    const w = torch.randn(128, 96).realize();
    const { kernels, outputs } = planOf(w.sub(x.t().matmul(gy).mul(0.01)));
    const g = kernels.find((k) => k.kind === 'gemm');
    expect(g).toBeDefined();
    const pairs = pairsBySlot(g!);
    expect(pairs.length).toBe(1);
    expect(pairs[0]![0]).toBe(outputs[0]);
    expect(g!.minBytes[g!.args.indexOf(pairs[0]![1])]).toBe(128 * 96 * 4);
  });
});
