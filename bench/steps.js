// Compiled training steps (torch.compile: capture once, replay with no graph work) against the same steps
// run eagerly and against PyTorch 1.13 eager in the same run; the replay overhead of a step on tiny tensors;
// a compiled 200-op elementwise chain per op. Part of `npm run bench`; alone: `node bench/steps.js`.
// Measured as a user calls it: new data each step (batches cycle through 4 realized tensors, inputs a replay
// cannot memoize), a new result each call.
import * as torch from '../dist/index.js';
import { getDevice } from '../dist/runtime/index.js';
import { LeNet, pyLeNet } from './models.js';
import { fmt, median, PY_TIME, python, table, time } from './util.js';

const { nn, optim } = torch;
const F = nn.functional;
const cpu = getDevice('cpu');

const stepOf = (net, opt) => (x, y) => {
  opt.zeroGrad();
  const loss = F.crossEntropy(net.call(x), y);
  loss.backward();
  opt.step();
  return loss;
};

/** Median ms of a step, eager and compiled, each on a fresh model (same seed). */
function modelRow(makeNet, makeOpt, inShape, batch, reps) {
  const batches = Array.from({ length: 4 }, () => [torch.rand(batch, ...inShape).realize(), torch.randint(0, 10, [batch]).realize()]);
  const measure = (compiled) => {
    torch.manualSeed(0);
    const net = makeNet();
    const raw = stepOf(net, makeOpt(net.parameters()));
    const step = compiled ? torch.compile(raw) : raw;
    let i = 0;
    return time(() => step(...batches[i++ % 4]).item(), reps, 5);
  };
  return { eager: measure(false), compiled: measure(true) };
}

const mlpMake = () => new nn.Sequential(new nn.Linear(784, 1024), new nn.ReLU(), new nn.Linear(1024, 1024), new nn.ReLU(), new nn.Linear(1024, 10));
const rows = [
  ['LeNet-5 batch 64, SGD', modelRow(() => new LeNet(), (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9 }), [1, 28, 28], 64, 50), 'lenetSgd', 0.7],
  ['LeNet-5 batch 64, Adam', modelRow(() => new LeNet(), (ps) => new optim.Adam(ps, { lr: 0.001 }), [1, 28, 28], 64, 50), 'lenetAdam', 0.7],
  ['MLP 784-1024-1024-10 batch 512, SGD', modelRow(mlpMake, (ps) => new optim.SGD(ps, { lr: 0.01 }), [784], 512, 15), 'mlp', 0.35],
];

const pt = python(`${PY_TIME}
${pyLeNet(cpu.threads)}
def row(net, opt, shape, batch, reps):
    data = [(torch.rand(batch, *shape), torch.randint(0, 10, (batch,))) for _ in range(4)]
    i = [0]
    def step():
        x, y = data[i[0] % 4]; i[0] += 1
        opt.zero_grad(); loss = F.cross_entropy(net(x), y); loss.backward(); opt.step(); loss.item()
    return t(step, reps, 5)
a = LeNet(); b = LeNet()
mlp = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
print(json.dumps({'lenetSgd': row(a, torch.optim.SGD(a.parameters(), lr=0.01, momentum=0.9), (1, 28, 28), 64, 50),
                  'lenetAdam': row(b, torch.optim.Adam(b.parameters(), lr=0.001), (1, 28, 28), 64, 50),
                  'mlp': row(mlp, torch.optim.SGD(mlp.parameters(), lr=0.01), (784,), 512, 15), 'version': torch.__version__}))
`);
table(
  `compiled training steps (torch.compile) vs eager graft vs PyTorch ${pt ? pt.version : '(not found)'} eager, ${cpu.threads} threads, ms per step`,
  ['step', 'graft eager', 'graft compiled', 'PyTorch', 'compiled / PyTorch', 'target'],
  rows.map(([name, r, key, target]) => [name, fmt(r.eager), fmt(r.compiled), fmt(pt?.[key]), pt ? `${fmt(r.compiled / pt[key])}x` : 'n/a', `<= ${target}x`]),
);

// Replay overhead: a step over tiny tensors (its kernels do almost nothing).
torch.manualSeed(0);
const tiny = new nn.Linear(4, 2);
const tinyStep = torch.compile(stepOf(tiny, new optim.SGD(tiny.parameters(), { lr: 0.1 })));
const tx = torch.rand(2, 4).realize();
const ty = torch.randint(0, 2, [2]).realize();
for (let i = 0; i < 100; i++) tinyStep(tx, ty);
const tinyUs = [];
for (let i = 0; i < 3000; i++) {
  const t0 = process.hrtime.bigint();
  tinyStep(tx, ty);
  tinyUs.push(Number(process.hrtime.bigint() - t0) / 1e3);
}

// A 200-op elementwise chain on 100 elements, compiled: per op, end to end (each replay computes: replays
// are not memoized).
const chain = torch.compile((x) => {
  let y = x;
  for (let i = 0; i < 100; i++) y = y.add(0.01).mul(0.99);
  return y;
});
const input = torch.rand(100).realize();
for (let i = 0; i < 50; i++) chain(input);
const chainUs = [];
for (let i = 0; i < 3000; i++) {
  const t0 = process.hrtime.bigint();
  chain(input);
  chainUs.push(Number(process.hrtime.bigint() - t0) / 1e3);
}
table('replay overhead (compiled steps, CPU time per call)', ['', 'us (median)', 'target'], [
  ['SGD step of nn.Linear(4, 2) on 2 samples', fmt(median(tinyUs), 1), '<= 30'],
  ['200-op elementwise chain on 100 elements, per op', fmt(median(chainUs) / 200, 3), '<= 0.2'],
]);
