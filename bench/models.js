// Models the bench scripts train (the same LeNet-5 as examples/mnist.ts and the PyTorch side of bench/index.js).
import * as torch from '../dist/index.js';

const { nn } = torch;
const F = nn.functional;

export class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  conv2 = new nn.Conv2d(6, 16, 5);
  pool = new nn.MaxPool2d(2);
  fc1 = new nn.Linear(400, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  forward(x) {
    x = this.pool.call(F.relu(this.conv1.call(x)));
    x = this.pool.call(F.relu(this.conv2.call(x)));
    x = F.relu(this.fc1.call(x.flatten(1)));
    x = F.relu(this.fc2.call(x));
    return this.fc3.call(x);
  }
}

/** PyTorch's side: imports, threads, seed and the same LeNet-5, as Python source for bench/util.js's python(). */
export const pyLeNet = (threads) => `import torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(${threads})
torch.manual_seed(0)
class LeNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv1 = nn.Conv2d(1, 6, 5, padding=2); s.conv2 = nn.Conv2d(6, 16, 5); s.pool = nn.MaxPool2d(2)
        s.fc1 = nn.Linear(400, 120); s.fc2 = nn.Linear(120, 84); s.fc3 = nn.Linear(84, 10)
    def forward(s, x):
        x = s.pool(F.relu(s.conv1(x))); x = s.pool(F.relu(s.conv2(x)))
        x = F.relu(s.fc1(x.flatten(1))); x = F.relu(s.fc2(x)); return s.fc3(x)`;
