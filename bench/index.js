// graft benchmarks (not run in CI): `npm run build && npm run bench`.
// Prints tables of medians over repeated runs after warm-up. Never asserts timings.
//
//  1. ((x*2+y).exp()*y).sum() over N = 2^24 float32 against the memory-bandwidth floor (bytes read divided
//     by the bandwidth of a copy kernel measured here) and against NumPy.
//  2. float32 matmul GFLOP/s at 512, 1024, 2048 against NumPy (OpenBLAS).
//  3. What a program-cache hit costs (a tiny graph realized again and again).
//  4. Training steps (MLP 784-1024-1024-10 batch 512 SGD, LeNet-5 batch 64 Adam) next to PyTorch on the same threads.
// Then bench/steps.js (compiled training steps, replay overhead), bench/api.js (per-op cost, torch.matmul as a user calls it), bench/rows.js (softmax and other row
// reductions), bench/compile.js (compile time) and a short bench/soak.js (memory over long runs).
import * as torch from '../dist/index.js';
import { build } from '../dist/ir/index.js';
import { getDevice } from '../dist/runtime/index.js';
import { LeNet, pyLeNet } from './models.js';
import { fmt, median, PY_TIME, python, table, time } from './util.js';

const cpu = getDevice('cpu');
/** NumPy runs in `python3` on PATH. */
const numpy = (code) => python(code, ['python3']);
const NP_TIME = `${PY_TIME}
import numpy as np
`;

// ---------------------------------------------------------------------------------------------------------
// 1. The fused chain against the bandwidth floor

const N = 1 << 24;
const x = torch.rand(N).realize();
const y = torch.rand(N).realize();
const run = (node) => cpu.execute([node]);
const chain = () => {
  const z = x.mul(2).add(y).exp().mul(y);
  return run(build.reduce(z.node, 'sum', [0]));
};
// The copy kernel writes into memory allocated once: first writes to fresh pages cost page faults, which
// are not memory bandwidth (and are expensive on some VMs).
const target = build.buffer(cpu.alloc('float32', N));
const copy = () => run(build.assign(target, build.unary('neg', x.node)));
const tChain = time(chain);
const tCopy = time(copy);
const copyBandwidth = (2 * 4 * N) / (tCopy / 1e3) / 1e9; // GB/s, read + write
const floorMs = ((2 * 4 * N) / (copyBandwidth * 1e9)) * 1e3; // the chain reads x and y once
const npChain = numpy(`${NP_TIME}
x = np.random.rand(${N}).astype(np.float32); y = np.random.rand(${N}).astype(np.float32)
print(json.dumps(t(lambda: (np.exp(x * 2 + y) * y).sum())))
`);
table(
  `((x*2+y).exp()*y).sum(), N = 2^24 float32 (threads: ${cpu.threads})`,
  ['', 'ms', 'vs floor'],
  [
    ['copy kernel (read+write 2x64 MB)', fmt(tCopy), `${fmt(copyBandwidth, 1)} GB/s`],
    ['bandwidth floor (read 2x64 MB)', fmt(floorMs), '1.00x'],
    ['graft (one fused kernel)', fmt(tChain), `${fmt(tChain / floorMs)}x`],
    ['NumPy', fmt(npChain), npChain ? `${fmt(npChain / floorMs)}x` : 'n/a'],
  ],
);

// ---------------------------------------------------------------------------------------------------------
// 2. Matmul

function matmulNode(a, b) {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const ae = build.expand(build.reshape(a, [m, k, 1]), [m, k, n]);
  const be = build.expand(build.reshape(b, [1, k, n]), [m, k, n]);
  return build.reshape(build.reduce(build.binary('mul', ae, be), 'sum', [1]), [m, n]);
}

const rows = [];
for (const n of [512, 1024, 2048]) {
  const a = torch.rand(n, n).realize();
  const b = torch.rand(n, n).realize();
  const reps = n >= 2048 ? 5 : 10;
  // Enough warm-up for the allocator to reuse freed output memory (as NumPy's malloc does) instead of
  // first-touching fresh pages, which costs more than a 512x512 product on some VMs.
  const t = time(() => run(matmulNode(a.node, b.node)), reps, n >= 2048 ? 3 : n >= 1024 ? 10 : 40);
  const gf = (2 * n ** 3) / (t / 1e3) / 1e9;
  // The same product written into an existing buffer (torch.matmul(a, b, { out })): no fresh output pages.
  const out = build.buffer(cpu.alloc('float32', n * n), [n, n]);
  const tOut = time(() => run(build.assign(out, matmulNode(a.node, b.node))), reps, 2);
  const gfOut = (2 * n ** 3) / (tOut / 1e3) / 1e9;
  const np = numpy(`${NP_TIME}
a = np.random.rand(${n}, ${n}).astype(np.float32); b = np.random.rand(${n}, ${n}).astype(np.float32)
print(json.dumps(t(lambda: a @ b, ${reps})))
`);
  const npgf = np ? (2 * n ** 3) / (np / 1e3) / 1e9 : null;
  rows.push([n, fmt(t), fmt(gf, 1), fmt(gfOut, 1), fmt(np), fmt(npgf, 1), npgf ? `${fmt((gf / npgf) * 100, 0)}%` : 'n/a', npgf ? `${fmt((gfOut / npgf) * 100, 0)}%` : 'n/a']);
}
table(
  'float32 matmul (GFLOP/s; "out=": into an existing buffer)',
  ['n', 'graft ms', 'graft', 'graft out=', 'NumPy ms', 'NumPy', 'graft / NumPy', 'out= / NumPy'],
  rows,
);

// ---------------------------------------------------------------------------------------------------------
// 3. Program cache hit

const small = () => torch.rand(16).mul(2).add(1).tanh().realize();
for (let i = 0; i < 200; i++) small();
const hits = [];
for (let i = 0; i < 2000; i++) {
  const t0 = process.hrtime.bigint();
  small();
  hits.push(Number(process.hrtime.bigint() - t0) / 1e3);
}
const keyOnly = [];
const probe = torch.rand(16).mul(2).add(1).tanh();
for (let i = 0; i < 2000; i++) {
  const t0 = process.hrtime.bigint();
  cpu.program([probe.node]);
  keyOnly.push(Number(process.hrtime.bigint() - t0) / 1e3);
}
table('program cache hit (4-op graph on 16 elements)', ['', 'us (median)'], [
  ['create tensors + realize (cache hit, 1 kernel call)', fmt(median(hits), 1)],
  ['structural key + lookup only', fmt(median(keyOnly), 1)],
]);

// ---------------------------------------------------------------------------------------------------------
// 4. Training steps (forward + backward + update, one program each) against PyTorch on the same cores

const { nn, optim } = torch;
const F = nn.functional;


function stepTime(net, opt, x, y, reps) {
  const step = () => {
    opt.zeroGrad();
    const loss = F.crossEntropy(net.call(x), y);
    loss.backward();
    opt.step();
    loss.item();
  };
  return time(step, reps, 5);
}

torch.manualSeed(0);
const mlp = new nn.Sequential(new nn.Linear(784, 1024), new nn.ReLU(), new nn.Linear(1024, 1024), new nn.ReLU(), new nn.Linear(1024, 10));
const tMlp = stepTime(mlp, new optim.SGD(mlp.parameters(), { lr: 0.01, momentum: 0.9 }), torch.rand(512, 784).realize(), torch.randint(0, 10, [512]).realize(), 20);
const lenet = new LeNet();
const tLenet = stepTime(lenet, new optim.Adam(lenet.parameters(), { lr: 0.001 }), torch.rand(64, 1, 28, 28).realize(), torch.randint(0, 10, [64]).realize(), 50);

const pytorch = (code) => python(code);
const pt = pytorch(`${NP_TIME}
${pyLeNet(cpu.threads)}
def step_time(net, opt, x, y, reps):
    def step():
        opt.zero_grad(); loss = F.cross_entropy(net(x), y); loss.backward(); opt.step(); loss.item()
    return t(step, reps, 5)
mlp = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
a = step_time(mlp, torch.optim.SGD(mlp.parameters(), lr=0.01, momentum=0.9), torch.rand(512, 784), torch.randint(0, 10, (512,)), 20)
le = LeNet()
b = step_time(le, torch.optim.Adam(le.parameters(), lr=0.001), torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,)), 50)
print(json.dumps({'mlp': a, 'lenet': b, 'version': torch.__version__}))
`);
const trainRow = (name, batch, tg, tp) => [name, batch, fmt(tg), fmt((batch / tg) * 1e3, 0), fmt(tp), tp ? fmt((batch / tp) * 1e3, 0) : 'n/a', tp ? `${fmt(tp / tg)}x` : 'n/a'];
table(
  `training step: forward + backward + update (PyTorch ${pt ? pt.version : 'not found'}, ${cpu.threads} threads)`,
  ['model', 'batch', 'graft ms', 'graft samples/s', 'PyTorch ms', 'PyTorch samples/s', 'graft speed / PyTorch'],
  [trainRow('MLP 784-1024-1024-10, SGD momentum', 512, tMlp, pt?.mlp), trainRow('LeNet-5, Adam', 64, tLenet, pt?.lenet)],
);
await import('./steps.js');
await import('./api.js');
await import('./rows.js');
await import('./compile.js');
// A short soak (the full one: npm run bench:soak).
process.env.SOAK_STEPS ??= '10000';
process.env.SOAK_DROPS ??= '200';
await import('./soak.js');
