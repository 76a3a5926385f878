/**
 * Long runs stay bounded (issue 9 §2, §3, §4; src/tensor/realization.ts): synchronous loops keep live
 * tensors, nodes and buffers flat (nothing waits for the event loop), results of a long-lived tensor do not
 * stay alive with it, accumulators across steps cost O(1) per step, and pending graphs have a bounded depth.
 * torch.memory() collects garbage itself and counts exactly, so every loop here is synchronous, as a
 * user's training loop is.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { getDevice, type CpuDevice } from '../../src/runtime/index.js';
import { DEPTH_LIMIT } from '../../src/tensor/realization.js';
import { leastOfThree } from '../collect.js';

const { nn, optim } = torch;
const cpu = (): CpuDevice => getDevice('cpu') as CpuDevice;

function mlpStep(): { step: (i: number) => { loss: torch.Tensor; out: torch.Tensor; y: torch.Tensor }; net: torch.nn.Module } {
  torch.manualSeed(11);
  const net = new nn.Sequential(new nn.Linear(16, 32), new nn.ReLU(), new nn.Linear(32, 4));
  const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
  const sched = new optim.lr_scheduler.StepLR(opt, { stepSize: 50, gamma: 0.9 });
  const xs = new Float32Array(64 * 16);
  const ys = new BigInt64Array(64);
  const lossFn = new nn.CrossEntropyLoss();
  const step = (i: number): { loss: torch.Tensor; out: torch.Tensor; y: torch.Tensor } => {
    for (let j = 0; j < xs.length; j++) xs[j] = Math.sin(i * 13 + j);
    for (let j = 0; j < ys.length; j++) ys[j] = BigInt((i + j) % 4);
    const x = torch.tensor(xs).reshape(64, 16); // a copy of new data every step
    const y = torch.tensor(ys);
    opt.zeroGrad();
    const out = net.call(x);
    const loss = lossFn.call(out, y);
    loss.backward();
    opt.step();
    sched.step();
    return { loss, out, y };
  };
  return { step, net };
}

/** torch.memory() after a loop, at the least of three points a step apart (test/collect.ts says why). */
const settled = (step: () => void): ReturnType<typeof torch.memory> => leastOfThree(torch.memory, (m) => m.nodes, step);

describe('memory stays bounded in synchronous loops', () => {
  it('a training loop (MLP, Adam, a scheduler, batch 64): live tensors, nodes and buffers flat', () => {
    const { step } = mlpStep();
    for (let i = 0; i < 30; i++) step(i);
    const a = torch.memory();
    for (let i = 30; i < 330; i++) step(i);
    const b = settled(() => step(0));
    expect(b.tensors - a.tensors).toBeLessThanOrEqual(2);
    expect(b.nodes - a.nodes).toBeLessThanOrEqual(10);
    expect(b.devices.cpu!.buffers - a.devices.cpu!.buffers).toBeLessThanOrEqual(2);
    expect(b.devices.cpu!.bytes).toBeLessThanOrEqual(a.devices.cpu!.bytes * 1.05 + 4096);
  });

  it('an evaluation loop and a loop of plain ops: flat', () => {
    const { net } = mlpStep();
    const x = torch.randn(8, 16);
    const w = torch.randn(100);
    const evalStep = (): number => torch.noGrad(() => net.call(x).sum().item());
    const plainStep = (i: number): number => w.mul(i + 0.5).add(1).sum().item();
    for (let i = 0; i < 20; i++) (evalStep(), plainStep(i));
    const a = torch.memory();
    for (let i = 0; i < 500; i++) (evalStep(), plainStep(i));
    const b = torch.memory();
    expect(b.tensors - a.tensors).toBeLessThanOrEqual(2);
    expect(b.nodes - a.nodes).toBeLessThanOrEqual(10);
    expect(b.devices.cpu!.buffers - a.devices.cpu!.buffers).toBeLessThanOrEqual(2);
  });

  it('results computed from a long-lived tensor and dropped do not stay alive with it', () => {
    const x = torch.rand(1 << 20).realize(); // 4 MiB
    const a = torch.memory();
    for (let i = 0; i < 200; i++) x.mul(i + 2.5).realize(); // one program: the constants are its inputs
    const b = torch.memory();
    expect(b.devices.cpu!.bytes - a.devices.cpu!.bytes).toBeLessThan(2 * 4 * (1 << 20));
    expect(b.nodes - a.nodes).toBeLessThanOrEqual(4);
  });
});

describe('accumulators across steps', () => {
  it('total += loss.detach() and correct += (argmax == y).sum() over many steps: O(1) per step, exact values', () => {
    // The values, from a run that reads every step's loss and predictions into JS.
    const ref = mlpStep();
    let totalRef = 0;
    let correctRef = 0;
    for (let i = 0; i < 120; i++) {
      const { loss, out, y } = ref.step(i);
      totalRef += Math.fround(loss.item());
      const pred = out.argmax(1).tolist() as number[];
      const labels = y.tolist() as number[];
      correctRef += pred.filter((p, j) => p === labels[j]).length;
    }

    const { step } = mlpStep();
    let total = torch.zeros([]);
    let correct = torch.zeros([], { dtype: torch.int64 });
    const builds: number[] = [];
    let mem: torch.MemoryReport | null = null;
    for (let i = 0; i < 120; i++) {
      const { loss, out, y } = step(i);
      total = total.add(loss.detach());
      correct = correct.add(out.argmax(1).eq(y).sum());
      builds.push(cpu().stats.programBuilds);
      if (i === 20) mem = torch.memory();
    }
    // No program is built after the first few steps (no graph grows from step to step)...
    expect(builds[119]! - builds[20]!).toBe(0);
    // ...and nothing accumulates in memory.
    const end = settled(() => undefined);
    expect(end.nodes - mem!.nodes).toBeLessThanOrEqual(10);
    expect(end.tensors - mem!.tensors).toBeLessThanOrEqual(2);
    // The accumulators hold the sums (float32 additions in order, as the reference's fround'ed ones).
    expect(correct.item()).toBe(correctRef);
    expect(total.item()).toBeCloseTo(totalRef, 3);
  });
});

describe('graphs of bounded depth', () => {
  it('updates over a graph deeper than the bound are computed together, in one program', () => {
    // x_{k+1} = a x_k + b from x_0 = b, with its derivatives carried along in float64 (forward mode).
    const a = torch.tensor([0.5], { requiresGrad: true });
    const b = torch.tensor([0.25], { requiresGrad: true });
    const opt = new torch.optim.SGD([a, b], { lr: 0.01 });
    const n = DEPTH_LIMIT; // two nodes per step: the forward passes the bound, and so does each update
    let x: torch.Tensor = b;
    let [xv, dxa, dxb] = [0.25, 0, 1];
    for (let k = 0; k < n; k++) {
      x = x.mul(a).add(b);
      [xv, dxa, dxb] = [0.5 * xv + 0.25, xv + 0.5 * dxa, 0.5 * dxb + 1];
    }
    x.sum().backward();
    const before = cpu().stats.realizations;
    opt.step();
    // Both updates read the whole backward chain: one program computes them (not one each, as each passes
    // the bound, each computing the chain again).
    expect(cpu().stats.realizations - before).toBe(1);
    expect(a.item()).toBeCloseTo(0.5 - 0.01 * dxa, 5);
    expect(b.item()).toBeCloseTo(0.25 - 0.01 * dxb, 5);
  });

  it('a chain longer than the depth bound is computed as it grows, one program reused', () => {
    let x = torch.ones(4);
    const before = cpu().stats.programBuilds;
    const steps = 3 * DEPTH_LIMIT;
    for (let i = 0; i < steps; i++) x = x.add(1).mul(0.5);
    // x -> (x + 1) / 2 converges to 1 from 1: every value is exactly 1
    expect(x.tolist()).toEqual([1, 1, 1, 1]);
    // One program for the chain over the constant, two for the chains over a buffer (cut after an add or
    // after a mul: the bound is odd), one for the rest read by tolist: not one per cut.
    expect(cpu().stats.programBuilds - before).toBeLessThanOrEqual(4);
  });
});
