/**
 * nn.LSTM unrolls its time loop into the graph (the graph grows with the sequence length), but each step builds
 * kernels of the same few structures, and the compiler compiles each distinct structure once: the distinct C
 * functions of a training step stop growing with the number of steps.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { getDevice } from '../../src/runtime/index.js';
import { CpuDevice } from '../../src/runtime/cpu.js';

const { nn } = torch;
const cpu = getDevice('cpu') as CpuDevice;

/** The pending loss and parameter gradients of one training step of an LSTM over T steps (loss on every output). */
function step(T: number, layers: number): torch.Tensor[] {
  torch.manualSeed(5);
  const lstm = new nn.LSTM(6, 12, layers);
  const head = new nn.Linear(12, 1);
  const x = torch.randn(T, 3, 6).realize();
  const y = torch.randn(T, 3, 1).realize();
  const [out] = lstm.forward(x);
  const loss = nn.functional.mseLoss(head.call(out), y);
  loss.backward();
  return [loss, ...lstm.parameters().map((p) => p.grad!), ...head.parameters().map((p) => p.grad!)];
}

const plan = (T: number, layers: number) => cpu.program(step(T, layers).map((t) => t.node)).program.plan;

describe('nn.LSTM over long sequences', () => {
  test('one layer: 50 and 100 steps compile about as many distinct C functions as 5 steps', () => {
    const [a, b, c] = [plan(5, 1), plan(50, 1), plan(100, 1)];
    // The graph (and the kernel count) grows with the steps: the loop is unrolled...
    expect(b.kernels.length).toBeGreaterThan(5 * a.kernels.length);
    expect(c.kernels.length).toBeGreaterThan(1.8 * b.kernels.length);
    // ...but the distinct functions do not (measured 22, 25, 26: remainders of partial sums of the weight
    // gradients over the steps add a few once the sums are long enough to be cut).
    expect(b.functions.length).toBeLessThanOrEqual(a.functions.length + 4);
    expect(c.functions.length).toBeLessThanOrEqual(b.functions.length + 2);
  });

  test('two layers: the distinct functions stop growing', () => {
    const [a, b, c] = [plan(5, 2), plan(50, 2), plan(100, 2)];
    expect(c.kernels.length).toBeGreaterThan(1.8 * b.kernels.length);
    // Measured 27, 40, 41 (with `stack` between layers and one projection for all steps: 36, 177, ~350).
    expect(b.functions.length).toBeLessThanOrEqual(a.functions.length + 15);
    expect(c.functions.length).toBeLessThanOrEqual(b.functions.length + 2);
  });
});
