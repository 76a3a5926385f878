/**
 * A small MLP on MNIST digits (784-256-128-10 with ReLU), trained like the LeNet example:
 *
 *   npx graft run examples/mlp.ts   [--epochs N --batch-size N --lr X --optimizer adam|sgd --max-steps N --out DIR --root DIR]
 */
import * as torch from 'graft';
import { trainMnist } from './common/train-mnist.js';

const { nn } = torch;

torch.manualSeed(0);
const makeNet = (): torch.nn.Module => new nn.Sequential(
  new nn.Flatten(),
  new nn.Linear(28 * 28, 256),
  new nn.ReLU(),
  new nn.Linear(256, 128),
  new nn.ReLU(),
  new nn.Linear(128, 10),
);
trainMnist(makeNet, { name: 'mlp', epochs: 8, lr: 0.001 });
