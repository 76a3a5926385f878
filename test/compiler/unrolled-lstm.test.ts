/**
 * An LSTM cell written by hand with the public API (nn.Linear, sigmoid and tanh gates), unrolled over time:
 * its training step is one program whose kernels repeat a few structures, so the distinct kernels to compile
 * do not grow with the number of time steps; values against the float64 reference.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { getDevice, interpret } from '../../src/runtime/index.js';
import { CpuDevice } from '../../src/runtime/cpu.js';
import { realizeTensors } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers.js';

const { nn } = torch;
const cpu = getDevice('cpu') as CpuDevice;
const H = 16;
const B = 4;
const I = 8;

class Cell extends nn.Module {
  ih = new nn.Linear(I, 4 * H);
  hh = new nn.Linear(H, 4 * H);
  override forward(x: torch.Tensor, h: torch.Tensor, c: torch.Tensor): [torch.Tensor, torch.Tensor] {
    const [i, f, g, o] = this.ih.call(x).add(this.hh.call(h)).chunk(4, 1) as [torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor];
    const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    return [o.sigmoid().mul(c2.tanh()), c2];
  }
}

/** Loss and parameter gradients of one unrolled training step, pending. */
function step(T: number): { loss: torch.Tensor; params: torch.Tensor[] } {
  torch.manualSeed(3);
  const cell = new Cell();
  const head = new nn.Linear(H, 1);
  const xs = torch.randn(T, B, I).realize();
  const y = torch.randn(B, 1).realize();
  let h = torch.zeros(B, H);
  let c = torch.zeros(B, H);
  for (let t = 0; t < T; t++) [h, c] = cell.call(xs.select(0, t), h, c) as [torch.Tensor, torch.Tensor];
  const loss = nn.functional.mseLoss(head.call(h), y);
  loss.backward();
  return { loss, params: [...cell.parameters(), ...head.parameters()] };
}

describe('an unrolled LSTM training step', () => {
  test('loss and gradients agree with the float64 reference', () => {
    const { loss, params } = step(10);
    const nodes = [loss.node, ...params.map((p) => p.grad!.node)];
    const want = interpret(nodes, { float64: true });
    const got = [loss.detach(), ...params.map((p) => p.grad!)];
    realizeTensors(got); // one program, as an optimizer step realizes them
    got.forEach((t, i) => expectClose(t.numpy().data, want[i]!, { rtol: 2e-4, atol: 1e-6 }));
  });

  test('its kernels repeat a few structures: the distinct ones do not grow with the time steps', () => {
    const distinct = (T: number): { kernels: number; functions: number } => {
      const { loss, params } = step(T);
      const { program } = cpu.program([loss.node, ...params.map((p) => p.grad!.node)]);
      return { kernels: program.plan.kernels.length, functions: program.plan.functions.length };
    };
    const a = distinct(48);
    const b = distinct(96);
    expect(b.kernels).toBeGreaterThan(1.8 * a.kernels);
    // Remainders (a last group of fewer time steps, the last partial sum of a gradient) may add one or two.
    expect(b.functions).toBeLessThanOrEqual(a.functions + 2);
    expect(b.functions).toBeLessThanOrEqual(28);
  });
});
