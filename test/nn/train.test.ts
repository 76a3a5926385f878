import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { randomValues, nest } from './reference.js';

const { nn } = torch;
const F = nn.functional;

/** Images whose class is which half (left or right) is brighter, plus noise. */
function toyData(n: number, seed: number): { x: torch.Tensor; y: torch.Tensor } {
  const noise = randomValues(n * 36, seed, -0.5, 0.5);
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const vals = noise.map((v, k) => {
    const i = Math.floor(k / 36);
    const col = k % 6;
    return v + ((col < 3) === (labels[i] === 0) ? 1 : 0);
  });
  return { x: torch.tensor(nest(vals, [n, 1, 6, 6]) as torch.TensorData, { dtype: 'float32' }), y: torch.tensor(labels, { dtype: 'int64' }) };
}

describe('training a small conv net (conv, batch norm, pooling, dropout, linear, cross entropy, SGD)', () => {
  it('the loss falls, the state stays realized between steps, eval accuracy is perfect', () => {
    torch.manualSeed(0);
    const net = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Dropout(0.1),
      new nn.Linear(36, 2),
    );
    const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
    const { x, y } = toyData(16, 1);
    const losses: number[] = [];
    for (let step = 0; step < 15; step++) {
      opt.zeroGrad();
      const loss = F.crossEntropy(net.call(x), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
      for (const p of net.parameters()) expect(p.node.op).toBe('buffer');
      for (const b of net.buffers()) expect(b.node.op).toBe('buffer');
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
    expect((net.at(1) as torch.nn.BatchNorm2d).num_batches_tracked!.item()).toBe(15);
    net.eval();
    const test = toyData(16, 2);
    const pred = torch.noGrad(() => net.call(test.x).argmax(1));
    expect(pred.tolist()).toEqual(test.y.tolist());
  });
});
