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
