/**
 * Ahead-of-time, part 2: in a fresh process that needs no C compiler (try `CC=/nowhere PATH= node
 * bin/graft.js run ...`), load the artifact `aot-train.ts` saved, continue training from its state and
 * evaluate — the same numbers the first script would have reached training on.
 *
 *   npx graft run examples/aot-continue.ts [--epochs 1] [--dir out/lenet-aot]
 */
import * as torch from 'graft';
import { evaluate, mnistLoaders, option, trainEpoch } from './common/aot-mnist.js';

const epochs = Number(option('epochs', '1'));
const dir = option('dir', 'out/lenet-aot');

const artifact = torch.aot.load(dir);
const train = artifact.steps.train as (x: torch.Tensor, y: torch.Tensor) => torch.Tensor;
const evalStep = artifact.steps.evaluate as (x: torch.Tensor, y: torch.Tensor) => torch.Tensor;
console.log(`loaded ${dir}: steps ${Object.keys(artifact.steps).join(', ')}; ${Object.keys(artifact.state).length} state tensors`);
const { train: trainData, test } = mnistLoaders();
console.log(`test accuracy as loaded: ${evaluate(evalStep, test).toFixed(2)}%`);
for (let e = 1; e <= epochs; e++) {
  const loss = trainEpoch(train, trainData);
  console.log(`epoch ${e} (continued): mean loss ${loss.toFixed(4)}, test accuracy ${evaluate(evalStep, test).toFixed(2)}%`);
}
