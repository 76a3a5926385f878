/**
 * backward must not keep every intermediate alive: a training-like loop's live IR nodes do not grow with the
 * number of steps, and the graph of a step is collectable once the step is over.
 */
import { describe, expect, it } from 'vitest';
import { Node } from '../../src/ir/index.js';
import { countLiveObjects } from '../../src/runtime/index.js';
import * as torch from '../../src/index.js';
import { sumAll } from './autograd-helpers.js';
import { collectGarbage as collect, leastOfThree } from '../collect.js';

describe('memory across training steps', () => {
  it('live IR nodes stay flat over many backward + update steps', async () => {
    torch.manualSeed(3);
    const x = torch.randn(16, 4);
    const trueW = torch.tensor([1, -2, 0.5, 3], { dtype: 'float32' });
    const y = x.mul(trueW);
    const w = torch.zeros(4, { requiresGrad: true });
    const losses: number[] = [];
    const step = (): void => {
      const loss = sumAll(x.mul(w).sub(y).pow(2));
      loss.backward();
      torch.noGrad(() => w.sub_(w.grad!.mul(0.01)));
      w.grad = null;
      losses.push(loss.item());
    };
    for (let i = 0; i < 5; i++) step();
    await collect();
    const early = countLiveObjects(Node.prototype);
    for (let i = 0; i < 60; i++) step();
    step();
    // The least of three points a step apart (test/collect.ts says why).
    const live = (): number => countLiveObjects(Node.prototype);
    const late = leastOfThree(live, (n) => n, step);
    // a handful of nodes of slack for whatever the last step left pending; no growth per step
    expect(late).toBeLessThanOrEqual(early + 5);
    // and the loop did train
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.01);
  });

  it('a step graph is collectable after backward, even while its loss tensor is kept', async () => {
    const w = torch.ones(3, { requiresGrad: true });
    const kept: torch.Tensor[] = [];
    // In a function of its own, so no local of this async test can hold the step's tensors.
    const runStep = (): WeakRef<object> => {
      const h = w.mul(2).exp();
      const probe = new WeakRef(h.node);
      const loss = sumAll(h);
      loss.backward();
      loss.item(); // realized after release: keeps its value, drops its graph
      expect(loss.node.op).toBe('buffer');
      kept.push(loss);
      // the gradient is lazy and reads the forward values until it is computed (as an optimizer step does)
      w.grad!.realize();
      return probe;
    };
    const probe = runStep();
    await collect();
    expect(probe.deref()).toBeUndefined();
    expect(kept[0]!.item()).toBeCloseTo(3 * Math.exp(2), 4);
    expect(w.grad!.tolist()).toEqual(Array(3).fill(Math.fround(2 * Math.exp(2))));
  });
});
