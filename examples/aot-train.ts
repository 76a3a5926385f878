/**
 * Ahead-of-time, part 1: train LeNet-5 on MNIST for a few epochs through a compiled step, then save the
 * training step and an evaluation step — with the model's and optimizer's state — as an artifact that runs
 * with no C compiler:
 *
 *   npx graft run examples/aot-train.ts [--epochs 2] [--out out/lenet-aot]
 *   npx graft run examples/aot-continue.ts [--epochs 1] [--dir out/lenet-aot]     # works without a compiler
 *
 * (`npx graft aot <script.ts> --out DIR` saves the compiled steps a script exports, plus a typed wrapper.)
 */
import * as torch from 'graft';
import { lenet, option, mnistLoaders, trainEpoch, evaluate } from './common/aot-mnist.js';

const epochs = Number(option('epochs', '2'));
const out = option('out', 'out/lenet-aot');

torch.manualSeed(0);
const net = lenet();
const opt = new torch.optim.Adam(net.parameters(), { lr: 0.002 });
const F = torch.nn.functional;
const { train, test } = mnistLoaders();

// One training step and one evaluation step, compiled before any data exists.
const trainStep = torch.compile(
  (x: torch.Tensor, y: torch.Tensor) => {
    opt.zeroGrad();
    const out = net.call(x) as torch.Tensor;
    const loss = F.crossEntropy(out, y);
    loss.backward();
    opt.step();
    return loss;
  },
  { example: [torch.spec([64, 1, 28, 28]), torch.spec([64], torch.int64)] },
);
const evalStep = torch.compile((x: torch.Tensor, y: torch.Tensor) => torch.noGrad(() => (net.call(x) as torch.Tensor).argmax(1).eq(y).sum()), {
  example: [torch.spec([500, 1, 28, 28]), torch.spec([500], torch.int64)],
});

const t0 = performance.now();
for (let e = 1; e <= epochs; e++) {
  const loss = trainEpoch(trainStep, train);
  console.log(`epoch ${e}: mean loss ${loss.toFixed(4)}, test accuracy ${evaluate(evalStep, test).toFixed(2)}%`);
}
console.log(`trained ${epochs} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
torch.aot.save({ train: trainStep, evaluate: evalStep }, out, { names: { model: net, opt } });
console.log(`saved the train and evaluate steps with their state to ${out}`);
