/** What the two ahead-of-time examples share: LeNet-5, MNIST batches as compiled steps take them, the loops. */
import * as torch from 'graft';

const { nn } = torch;
const F = nn.functional;

/** A loader of (input, label) batches. */
export type Loader = Iterable<[torch.Tensor, torch.Tensor]>;

export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  conv2 = new nn.Conv2d(6, 16, 5);
  pool = new nn.MaxPool2d(2);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: torch.Tensor): torch.Tensor {
    x = this.pool.call(F.relu(this.conv1.call(x)));
    x = this.pool.call(F.relu(this.conv2.call(x)));
    x = F.relu(this.fc1.call(x.flatten(1)));
    return this.fc3.call(F.relu(this.fc2.call(x)));
  }
}

export const lenet = (): torch.nn.Module => new LeNet();

/** Batches of 64 training digits (shuffled with a fixed seed: both scripts see the same order) and 500 test digits. */
export function mnistLoaders(): { train: Loader; test: Loader } {
  const train = new torch.datasets.MNIST({ train: true, normalize: true });
  const test = new torch.datasets.MNIST({ train: false, normalize: true });
  const generator = new torch.Generator().manualSeed(0);
  return {
    train: new torch.utils.data.DataLoader(train, { batchSize: 64, shuffle: true, generator, dropLast: true }) as unknown as Loader,
    test: new torch.utils.data.DataLoader(test, { batchSize: 500 }) as unknown as Loader,
  };
}

/** One epoch of `step`; returns the mean loss. */
export function trainEpoch(step: (x: torch.Tensor, y: torch.Tensor) => torch.Tensor, loader: Loader): number {
  let sum = 0;
  let n = 0;
  for (const [x, y] of loader) {
    sum += step(x as torch.Tensor, y as torch.Tensor).item();
    n++;
  }
  return sum / n;
}

/** Test accuracy (%) from a step returning the number of correct predictions of a batch. */
export function evaluate(step: (x: torch.Tensor, y: torch.Tensor) => torch.Tensor, loader: Loader): number {
  let correct = 0;
  let seen = 0;
  for (const [x, y] of loader) {
    correct += step(x as torch.Tensor, y as torch.Tensor).item();
    seen += (y as torch.Tensor).shape[0]!;
  }
  return (100 * correct) / seen;
}
