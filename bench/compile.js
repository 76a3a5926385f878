// Compile time: `npm run build && node bench/compile.js [--quick]` (also run by bench/index.js).
// Every figure is measured in a child process started for it, through the public API:
//
//  1. An LSTM cell written by hand (nn.Linear, sigmoid/tanh gates, H=16, batch 4) unrolled over 200 and 1000
//     time steps, one training step (MSE loss, backward, SGD step): the first step with an empty cache
//     directory (cold), the first step of a fresh process with the cache filled (warm), the step once
//     compiled (median per step and per time step), kernels and distinct kernels.
//  2. The MLP 784-1024-1024-10 training step (batch 512, SGD with momentum), cold.
//  3. `let x = torch.randn(4); for (n times) x = x.add(1).mul(0.5); x.tolist()`, cold.
//
// Cold and warm split into: building the graph (the tensor API), planning (simplify, schedule, lower, group,
// render; "disk" when the plan came from the disk cache), compiling and loading the kernels, running them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, table } from './util.js';

const here = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------------------
// Child side: one measurement, printed as JSON.

/** CPU seconds of this process and of the compilers it waited for (Linux; null elsewhere). */
function cpuSeconds() {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(f[13]) + Number(f[14])) / 100; // cutime + cstime, in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
  return (own.user + own.system) / 1e6 + children;
}

async function child(kind, n) {
  const torch = await import('../dist/index.js');
  const { Program } = await import('../dist/runtime/program.js');
  // The largest program's first load and how its plan was made (a bench may look inside; tests may not).
  let biggest = null;
  const load = Program.prototype.load;
  Program.prototype.load = function () {
    const first = !this.loaded;
    load.call(this);
    if (first && (!biggest || this.plan.kernels.length > biggest.kernels)) {
      biggest = { kernels: this.plan.kernels.length, distinct: this.plan.functions.length, loadMs: this.loadMs, origin: this.origin };
    }
  };
  const { nn, optim } = torch;
  const cpu0 = cpuSeconds();
  const report = (o) => console.log(JSON.stringify({ ...o, program: biggest, cpu: cpu0 === null ? null : cpuSeconds() - cpu0 }));

  if (kind === 'lstm') {
    const H = 16, B = 4, I = 8;
    torch.manualSeed(0);
    class Cell extends nn.Module {
      ih = new nn.Linear(I, 4 * H);
      hh = new nn.Linear(H, 4 * H);
      forward(x, h, c) {
        const [i, f, g, o] = this.ih.call(x).add(this.hh.call(h)).chunk(4, 1);
        const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
        return [o.sigmoid().mul(c2.tanh()), c2];
      }
    }
    const cell = new Cell();
    const head = new nn.Linear(H, 1);
    const opt = new optim.SGD([...cell.parameters(), ...head.parameters()], { lr: 0.01 });
    const xs = torch.randn(n, B, I).realize();
    const y = torch.randn(B, 1).realize();
    const step = () => {
      const t0 = performance.now();
      opt.zeroGrad();
      let h = torch.zeros(B, H);
      let c = torch.zeros(B, H);
      for (let t = 0; t < n; t++) [h, c] = cell.call(xs.select(0, t), h, c);
      const loss = nn.functional.mseLoss(head.call(h), y);
      loss.backward();
      const t1 = performance.now();
      opt.step();
      loss.item();
      const t2 = performance.now();
      return { build: t1 - t0, realize: t2 - t1 };
    };
    const first = step();
    const cpu = cpuSeconds() - cpu0;
    const steps = [];
    for (let i = 0; i < 5; i++) steps.push(step());
    report({ first, firstCpu: cpu, step: median(steps.map((s) => s.build + s.realize)), stepRealize: median(steps.map((s) => s.realize)) });
  } else if (kind === 'mlp') {
    torch.manualSeed(0);
    const mlp = new nn.Sequential(new nn.Linear(784, 1024), new nn.ReLU(), new nn.Linear(1024, 1024), new nn.ReLU(), new nn.Linear(1024, 10));
    const opt = new optim.SGD(mlp.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = torch.rand(512, 784).realize();
    const y = torch.randint(0, 10, [512]).realize();
    const t0 = performance.now();
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(mlp.call(x), y);
    loss.backward();
    const t1 = performance.now();
    opt.step();
    loss.item();
    report({ first: { build: t1 - t0, realize: performance.now() - t1 } });
  } else if (kind === 'chain') {
    let x = torch.randn(4).realize();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) x = x.add(1).mul(0.5);
    const t1 = performance.now();
    const v = x.tolist();
    report({ first: { build: t1 - t0, realize: performance.now() - t1 }, value: v });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parent side: the tables.

function measure(kind, n, cache) {
  const r = spawnSync(process.execPath, [here, '--child', kind, String(n)], {
    env: { ...process.env, GRAFT_CACHE_DIR: cache },
    encoding: 'utf8',
    timeout: 1_800_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    console.log(`  (${kind} ${n} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' / ')})`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const s = (ms) => (ms === undefined || ms === null ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);


/**
 * Where a first realization's time went: planning (or reading the plan), compiling and loading, running —
 * for the largest program; when the tensor layer realized it while the graph was built (a chain past its
 * depth bound), its time is part of "build graph" and "run" is n/a. CPU: seconds of the process and of the
 * compilers it ran, from building the model to the end of the first step (little affected by other load on
 * the machine, unlike the times).
 */
function split(m) {
  const p = m.program;
  const plan = p?.origin ? (p.origin.kind === 'disk' ? `${s(p.origin.ms)} (disk)` : s(p.origin.ms)) : 'n/a';
  const run = p?.origin ? m.first.realize - p.origin.ms - p.loadMs : null;
  const cpu = m.firstCpu ?? m.cpu;
  return [s(m.first.build), s(m.first.realize), plan, p ? s(p.loadMs) : 'n/a', run !== null && run >= 0 ? s(run) : 'n/a', cpu == null ? 'n/a' : `${cpu.toFixed(2)} s`];
}

function runCompileBench({ quick = false } = {}) {
  const rows = [];
  const perStep = [];
  for (const T of quick ? [200] : [200, 1000]) {
    const cache = mkdtempSync(join(tmpdir(), 'graft-bench-compile-'));
    try {
      const cold = measure('lstm', T, cache);
      const warm = measure('lstm', T, cache);
      for (const [what, m] of [['cold', cold], ['warm', warm]]) {
        if (!m) continue;
        rows.push([`LSTM ${T} steps, ${what}`, ...split(m), m.program?.kernels ?? 'n/a', m.program?.distinct ?? 'n/a']);
      }
      if (warm) perStep.push([T, s(warm.step), s(warm.stepRealize), `${((warm.step / T) * 1e3).toFixed(1)} us`, `${((warm.stepRealize / T) * 1e3).toFixed(1)} us`]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }
  const others = [['mlp', 0, 'MLP 784-1024-1024-10, cold'], ['chain', quick ? 100_000 : 1_000_000, `add/mul chain x ${quick ? '1e5' : '1e6'}, cold`]];
  for (const [kind, n, label] of others) {
    const cache = mkdtempSync(join(tmpdir(), 'graft-bench-compile-'));
    try {
      const m = measure(kind, n, cache);
      if (m) rows.push([label, ...split(m), m.program?.kernels ?? 'n/a', m.program?.distinct ?? 'n/a']);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }
  table(
    'first training step / realization in a fresh process (cold: empty cache directory; warm: filled by a previous process)',
    ['', 'build graph', 'realize', 'plan', 'compile+load', 'run', 'cpu', 'kernels', 'distinct'],
    rows,
  );
  table('LSTM step once compiled (median of 5 steps)', ['time steps', 'step', 'realize', 'step / time step', 'realize / time step'], perStep);
}

// Run alone (`node bench/compile.js`) or imported by bench/index.js: the tables are printed either way.
if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
else runCompileBench({ quick: process.argv.includes('--quick') });
