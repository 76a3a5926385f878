// Soak: memory over long synchronous runs (issue 9 §2). Not run in CI: `npm run bench:soak` (100k steps,
// a few minutes) or `node bench/soak.js STEPS DROPS`; `npm run bench` runs a short version.
//
//  1. A plain `for` loop of training steps (MLP 64-128-10, Adam, StepLR, batch 64, new data every step),
//     never yielding to the event loop: RSS and torch.memory() sampled along the way.
//  2. Results computed from a long-lived 64 MB tensor and dropped (`x.mul(i + 2).realize()`), DROPS times.
//
// Prints the samples and the growth from the end of warm-up (a tenth of the run) to the end: flat means
// within 5%.
import * as torch from '../dist/index.js';

const { nn, optim } = torch;
const args = process.argv.slice(2).map(Number);
const STEPS = Number.isFinite(args[0]) && args[0] > 0 ? args[0] : Number(process.env.SOAK_STEPS ?? 100_000);
const DROPS = Number.isFinite(args[1]) && args[1] > 0 ? args[1] : Number(process.env.SOAK_DROPS ?? 1000);
const SAMPLES = 10;

const mib = (b) => (b / (1 << 20)).toFixed(1);
const pct = (a, b) => `${(((b - a) / Math.max(a, 1)) * 100).toFixed(1)}%`;

function sample(label) {
  const m = torch.memory();
  const cpu = m.devices.cpu ?? { buffers: 0, bytes: 0 };
  return { label, rss: process.memoryUsage().rss, tensors: m.tensors, nodes: m.nodes, buffers: cpu.buffers, bytes: cpu.bytes, ms: performance.now() };
}

function table(title, samples) {
  console.log(`\n${title}`);
  const rows = [['', 'RSS MiB', 'tensors', 'nodes', 'buffers', 'buffer MiB', 'ms since last']];
  samples.forEach((s, i) => rows.push([s.label, mib(s.rss), s.tensors, s.nodes, s.buffers, mib(s.bytes), i ? (s.ms - samples[i - 1].ms).toFixed(0) : '']));
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const [i, r] of rows.entries()) {
    console.log('| ' + r.map((c, j) => String(c).padStart(widths[j])).join(' | ') + ' |');
    if (i === 0) console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  }
  const a = samples[1];
  const b = samples[samples.length - 1];
  console.log(
    `growth from ${a.label} to ${b.label}: RSS ${pct(a.rss, b.rss)}, tensors ${b.tensors - a.tensors}, nodes ${b.nodes - a.nodes}, ` +
      `buffers ${b.buffers - a.buffers}, buffer bytes ${pct(a.bytes, b.bytes)}`,
  );
}

// 1. The training loop
torch.manualSeed(0);
const net = new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 10));
const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
const sched = new optim.lr_scheduler.StepLR(opt, { stepSize: 1000, gamma: 0.99 });
const lossFn = new nn.CrossEntropyLoss();
const xs = new Float32Array(64 * 64);
const ys = new BigInt64Array(64);
const every = Math.max(1, Math.floor(STEPS / SAMPLES));
const steps = [sample('start')];
let loss = 0;
for (let i = 1; i <= STEPS; i++) {
  for (let j = 0; j < xs.length; j++) xs[j] = Math.sin(i * 0.37 + j);
  for (let j = 0; j < ys.length; j++) ys[j] = BigInt((i + j) % 10);
  const x = torch.tensor(xs).reshape(64, 64);
  const y = torch.tensor(ys);
  opt.zeroGrad();
  const l = lossFn.call(net.call(x), y);
  l.backward();
  opt.step();
  sched.step();
  if (i % every === 0) {
    loss = l.item();
    steps.push(sample(`step ${i}`));
  }
}
table(`1. training loop, ${STEPS} synchronous steps (MLP 64-128-10, Adam, StepLR, batch 64; last loss ${loss.toFixed(4)})`, steps);

// 2. Results of a long-lived tensor, dropped
const big = torch.rand(16 << 20).realize(); // 64 MB
const drops = [sample('start')];
const dropEvery = Math.max(1, Math.floor(DROPS / SAMPLES));
for (let i = 1; i <= DROPS; i++) {
  big.mul(i + 2).realize();
  if (i % dropEvery === 0) drops.push(sample(`result ${i}`));
}
table(`2. ${DROPS} results of a long-lived 64 MB tensor, each dropped`, drops);
