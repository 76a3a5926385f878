// Row reductions: softmax, log-softmax, layer norm and cross entropy (forward; forward + backward) against the
// memory-bandwidth floor, NumPy and PyTorch in the same run. `npm run build && node bench/rows.js`.
//
// graft is measured through the public API as a user calls it: the input shares memory with JS
// (`torch.fromNumpy`) and gets a new value before every call, so nothing is memoized, and every call returns a
// new result. "out=" writes the same result into a buffer allocated once (an `assign` of the op's graph, as
// bench section 2 does for matmul): the kernels without the fresh output's page faults. The floor is the bytes
// the op must move (its input read once, its output written once) at the bandwidth of a copy kernel measured
// here. Medians after warm-up; prints tables, never asserts timings. On a machine shared with other work,
// repeat it: two OpenMP threads wait for each other at the end of every kernel. The second table is steadier
// there: one thread, CPU time (process.cpuUsage) of the kernels writing into a buffer allocated once, against
// the CPU time of the copy kernel on one thread.
import * as torch from '../dist/index.js';
import { build } from '../dist/ir/index.js';
import { CpuDevice, getDevice, plannedKernels } from '../dist/runtime/index.js';
import { fmt as fmt2, median, python as runPython, table, time } from './util.js';

const python = (interpreters, code) => runPython(code, interpreters);

const F = torch.nn.functional;
const cpu = getDevice('cpu');
const fmt = (x, d = 3) => fmt2(x, d);
const ratio = (a, b) => (a === null || a === undefined || b === null || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`);

// ---------------------------------------------------------------------------------------------------------
// The floor: a copy kernel's bandwidth (read + write), into memory allocated once (first writes to fresh pages
// cost page faults, which are not bandwidth). Measured before and after the cases; the better of the two is
// the bandwidth (other work on the machine only ever lowers it).

const COPY_N = 1 << 24;
const copySrc = torch.rand(COPY_N).realize();
const copyDst = build.buffer(cpu.alloc('float32', COPY_N));
const copyTime = () => time(() => cpu.execute([build.assign(copyDst, build.unary('neg', copySrc.node))]), 10, 3);
const tCopyBefore = copyTime();

// ---------------------------------------------------------------------------------------------------------
// The cases

const SHAPES = [
  [4096, 4096],
  [512, 1000],
  [64, 10],
];

/** name, the graft call (null: forward + backward), bytes moved per element of the input (read + write). */
const OPS = [
  { name: 'softmax', f: (x) => x.softmax(1), bytes: 8 },
  { name: 'log-softmax', f: (x) => x.logSoftmax(1), bytes: 8 },
  { name: 'layer norm', f: (x) => F.layerNorm(x, [x.shape[1]]), bytes: 8 },
  { name: 'cross entropy', f: (x, y) => F.crossEntropy(x, y), bytes: 4 },
  { name: 'cross entropy fwd+bwd', f: null, bytes: 8 },
];

function graftTimes(op, R, C) {
  const arr = new Float32Array(R * C);
  for (let i = 0; i < arr.length; i++) arr[i] = Math.random() * 8 - 4;
  const x = torch.fromNumpy({ data: arr, shape: [R, C] });
  const y = torch.fromNumpy(BigInt64Array.from({ length: R }, (_, i) => BigInt((i * 7) % C)));
  let k = 0;
  const touch = () => (arr[k++ % arr.length] = Math.random());
  const reps = R * C >= 1 << 22 ? 10 : R * C >= 1 << 16 ? 50 : 500;
  const warm = R * C >= 1 << 22 ? 3 : 20;
  let call;
  let kernels;
  if (op.f) {
    call = () => {
      touch();
      op.f(x, y).realize();
    };
    kernels = plannedKernels([op.f(x, y).node]).length;
  } else {
    // A leaf over the same memory: its gradient is a fresh result every call.
    const xg = torch.fromNumpy({ data: arr, shape: [R, C] }).requiresGrad_();
    call = () => {
      touch();
      const loss = F.crossEntropy(xg, y);
      loss.backward();
      xg.grad.realize();
      loss.item();
      xg.grad = null;
    };
    const loss = F.crossEntropy(xg, y);
    loss.backward();
    kernels = plannedKernels([loss.node, xg.grad.node]).length;
    xg.grad.realize();
    xg.grad = null;
  }
  const fresh = time(call, reps, warm);
  let into = null;
  if (op.f && op.f(x, y).numel() === R * C) {
    const out = build.buffer(cpu.alloc('float32', R * C), [R, C]);
    into = time(
      () => {
        touch();
        cpu.execute([build.assign(out, op.f(x, y).node)]);
      },
      reps,
      warm,
    );
  } else if (!op.f) {
    // The gradient into a buffer allocated once, the loss computed with it.
    const xg = torch.fromNumpy({ data: arr, shape: [R, C] }).requiresGrad_();
    const out = build.buffer(cpu.alloc('float32', R * C), [R, C]);
    into = time(
      () => {
        touch();
        const loss = F.crossEntropy(xg, y);
        loss.backward();
        const g = xg.grad;
        xg.grad = null;
        cpu.execute([build.assign(out, g.node), loss.node]);
      },
      reps,
      warm,
    );
  }
  return { fresh, into, kernels };
}

const PY_TIME = `
import json, time
def t(f, reps, warm):
    for _ in range(warm): f()
    ts = []
    for _ in range(reps):
        a = time.perf_counter(); f(); ts.append((time.perf_counter() - a) * 1e3)
    return sorted(ts)[len(ts) // 2]
def reps_of(n): return (10, 3) if n >= 1 << 22 else ((50, 20) if n >= 1 << 16 else (500, 20))
shapes = ${JSON.stringify(SHAPES)}
`;

const np = python(
  ['python3'],
  `${PY_TIME}
import numpy as np
def softmax(x):
    e = np.exp(x - x.max(1, keepdims=True)); e /= e.sum(1, keepdims=True); return e
def log_softmax(x):
    s = x - x.max(1, keepdims=True); return s - np.log(np.exp(s).sum(1, keepdims=True))
def layer_norm(x):
    m = x.mean(1, keepdims=True); v = x.var(1, keepdims=True); return (x - m) / np.sqrt(v + np.float32(1e-5))
def ce(x, y):
    s = x - x.max(1, keepdims=True); lse = np.log(np.exp(s).sum(1)); return (lse - s[np.arange(len(y)), y]).mean()
def ce_grad(x, y):
    s = x - x.max(1, keepdims=True); e = np.exp(s); z = e.sum(1, keepdims=True)
    loss = (np.log(z[:, 0]) - s[np.arange(len(y)), y]).mean()
    g = e / z; g[np.arange(len(y)), y] -= 1; g /= len(y); return loss, g
out = {}
for R, C in shapes:
    x = (np.random.rand(R, C) * 8 - 4).astype(np.float32); y = (np.arange(R) * 7) % C
    r, w = reps_of(R * C)
    out[f'{R}x{C}'] = [t(lambda: softmax(x), r, w), t(lambda: log_softmax(x), r, w), t(lambda: layer_norm(x), r, w),
                       t(lambda: ce(x, y), r, w), t(lambda: ce_grad(x, y), r, w)]
print(json.dumps(out))
`,
);

const pt = python(
  ['/usr/bin/python3', 'python3'],
  `${PY_TIME}
import torch, torch.nn.functional as F
torch.set_num_threads(${cpu.threads})
out = {'version': torch.__version__}
for R, C in shapes:
    x = torch.rand(R, C) * 8 - 4; y = (torch.arange(R) * 7) % C
    xg = x.clone().requires_grad_()
    def fwd_bwd():
        loss = F.cross_entropy(xg, y); loss.backward(); loss.item(); xg.grad = None
    r, w = reps_of(R * C)
    with torch.no_grad():
        a = [t(lambda: torch.softmax(x, 1), r, w), t(lambda: torch.log_softmax(x, 1), r, w), t(lambda: F.layer_norm(x, (C,)), r, w),
             t(lambda: F.cross_entropy(x, y), r, w)]
    out[f'{R}x{C}'] = a + [t(fwd_bwd, r, w)]
print(json.dumps(out))
`,
);

const measured = SHAPES.map(([R, C]) => OPS.map((op) => graftTimes(op, R, C)));
const bandwidth = (2 * 4 * COPY_N) / (Math.min(tCopyBefore, copyTime()) / 1e3); // bytes per second
const rows = [];
for (const [s, [R, C]] of SHAPES.entries()) {
  OPS.forEach((op, i) => {
    const g = measured[s][i];
    const floor = ((op.bytes * R * C) / bandwidth) * 1e3;
    const n = np?.[`${R}x${C}`]?.[i] ?? null;
    const p = pt?.[`${R}x${C}`]?.[i] ?? null;
    rows.push([op.name, `${R}x${C}`, g.kernels, fmt(g.fresh), fmt(g.into), fmt(floor), ratio(g.fresh, floor), ratio(g.into, floor), fmt(n), fmt(p), ratio(g.fresh, n), ratio(g.fresh, p)]);
  });
}
table(
  `row reductions, float32, ms (threads: ${cpu.threads}; copy kernel ${(bandwidth / 1e9).toFixed(1)} GB/s; PyTorch ${pt ? pt.version : 'not found'})`,
  ['op', 'shape', 'kernels', 'graft', 'graft out=', 'floor', 'graft/floor', 'out=/floor', 'NumPy', 'PyTorch', 'graft/NumPy', 'graft/PyTorch'],
  rows,
);

// ---------------------------------------------------------------------------------------------------------
// One thread, CPU time: what the kernels cost without waiting for another thread or the OS.

const saved = process.env.GRAFT_NUM_THREADS;
process.env.GRAFT_NUM_THREADS = '1';
const one = new CpuDevice('cpu');
if (saved === undefined) delete process.env.GRAFT_NUM_THREADS;
else process.env.GRAFT_NUM_THREADS = saved;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
function cpuTime(fn, reps, warm) {
  for (let i = 0; i < warm; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = cpuMs();
    fn();
    ts.push(cpuMs() - t0);
  }
  return median(ts);
}
const oneRows = [];
for (const [R, C] of SHAPES.filter(([r, c]) => r * c >= 1 << 16)) {
  const reps = R * C >= 1 << 22 ? 7 : 101;
  const src = torch.rand(R * C).realize();
  const out = build.buffer(one.alloc('float32', R * C), [R, C]);
  const tCopyOne = cpuTime(() => one.execute([build.assign(out, build.reshape(build.unary('neg', src.node), [R, C]))]), reps, 2);
  const x = torch.rand(R, C).mul(8).sub(4).realize();
  const y = torch.randint(0, C, [R]).realize();
  for (const op of OPS) {
    let t;
    if (op.f && op.f(x, y).numel() === R * C) t = cpuTime(() => one.execute([build.assign(out, op.f(x, y).node)]), reps, 2);
    else if (op.f) t = cpuTime(() => one.execute([op.f(x, y).node]), reps, 2);
    else {
      const xg = x.detach().requiresGrad_();
      t = cpuTime(
        () => {
          const loss = F.crossEntropy(xg, y);
          loss.backward();
          const g = xg.grad;
          xg.grad = null;
          one.execute([g.node, loss.node]);
        },
        reps,
        2,
      );
    }
    const floor = (tCopyOne * op.bytes) / 8;
    oneRows.push([op.name, `${R}x${C}`, fmt(t), fmt(floor), ratio(t, floor)]);
  }
}
table(
  'row reductions, one thread, CPU ms (floor: the copy kernel on one thread, scaled to the bytes moved; the fwd+bwd gradient is a fresh buffer)',
  ['op', 'shape', 'graft', 'floor', 'graft/floor'],
  oneRows,
);
