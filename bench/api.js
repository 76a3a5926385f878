// Per-op cost and matmul through the public API, as a user calls it (issue 10): inputs in memory shared with
// JS (`torch.fromNumpy`), changed before every call so nothing is memoized, and a new result each call.
// PyTorch (Debian's python3-torch, same threads) and NumPy in the same run. `npm run build && node bench/api.js`.
//
//  1. 200 alternating add(0.01) / mul(0.99) on 100 float32 elements, read back: microseconds per op, end to
//     end (graph building, realization, the kernel, the read).
//  2. torch.matmul(a, b) at 512, 1024, 2048 returning a new tensor each call (realized, not read back).
//  3. A program-cache hit through the Tensor API: four ops on four floats, read back (CPU time per call).
import * as torch from '../dist/index.js';
import { fmt, PY_TIME, python, table, time } from './util.js';

const threads = torch.getNumThreads ? torch.getNumThreads() : 2;

// 1. The chain
const data = new Float32Array(100);
const x = torch.fromNumpy(data);
let k = 0;
const chain = () => {
  k++;
  for (let j = 0; j < 100; j++) data[j] = (j + k) * 0.001;
  let y = x;
  for (let i = 0; i < 100; i++) y = y.add(0.01).mul(0.99);
  return y.dataSync();
};
const tChain = (time(chain, 200, 200) * 1e3) / 200;

const npChain = python(`${PY_TIME}
import numpy as np
x = np.zeros(100, dtype=np.float32)
def chain():
    x[:] = np.arange(100, dtype=np.float32) * 0.001
    y = x
    for i in range(100): y = (y + np.float32(0.01)) * np.float32(0.99)
    return y.tolist()
print(json.dumps(t(chain, 200, 200) * 1e3 / 200))
`);
const ptChain = python(`${PY_TIME}
import torch, numpy as np
torch.set_num_threads(${threads})
a = np.zeros(100, dtype=np.float32); x = torch.from_numpy(a)
def chain():
    a[:] = np.arange(100, dtype=np.float32) * 0.001
    y = x
    for i in range(100): y = y.add(0.01).mul(0.99)
    return y.numpy().tolist()
print(json.dumps(t(chain, 200, 200) * 1e3 / 200))
`);
table('200 alternating add(0.01)/mul(0.99) on 100 float32, read back (us per op, end to end)', ['', 'us/op', 'vs graft'], [
  ['graft', fmt(tChain, 3), '1.00x'],
  ['PyTorch (eager)', fmt(ptChain, 3), ptChain ? `${fmt(ptChain / tChain)}x` : 'n/a'],
  ['NumPy', fmt(npChain, 3), npChain ? `${fmt(npChain / tChain)}x` : 'n/a'],
]);

// 2. matmul
const rows = [];
for (const n of [512, 1024, 2048]) {
  const ad = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000);
  const bd = new Float32Array(n * n).map((_, i) => ((i * 104729) % 1000) / 1000);
  const a = torch.fromNumpy(ad).reshape(n, n);
  const b = torch.fromNumpy(bd).reshape(n, n);
  let c = 0;
  const mm = () => {
    ad[c++ % ad.length] += 1; // new data: nothing memoized
    return torch.matmul(a, b).realize();
  };
  const reps = n >= 2048 ? 5 : 10;
  const t = time(mm, reps, n >= 2048 ? 3 : 10);
  const py = python(`${PY_TIME}
import numpy as np
a = np.random.rand(${n}, ${n}).astype(np.float32); b = np.random.rand(${n}, ${n}).astype(np.float32)
out = {'np': t(lambda: a @ b, ${reps}, 3)}
try:
    import torch
    torch.set_num_threads(${threads})
    ta = torch.from_numpy(a); tb = torch.from_numpy(b)
    out['pt'] = t(lambda: torch.matmul(ta, tb), ${reps}, 3)
except Exception:
    out['pt'] = None
print(json.dumps(out))
`);
  const gf = (ms) => (ms ? (2 * n ** 3) / (ms / 1e3) / 1e9 : null);
  rows.push([n, fmt(t), fmt(gf(t), 1), fmt(gf(py?.np), 1), fmt(gf(py?.pt), 1), py?.np ? `${fmt(py.np / t)}x` : 'n/a', py?.pt ? `${fmt(py.pt / t)}x` : 'n/a']);
}
table('torch.matmul(a, b), a new result each call (GFLOP/s; ratio: graft speed over the other)', ['n', 'graft ms', 'graft', 'NumPy', 'PyTorch', 'vs NumPy', 'vs PyTorch'], rows);

// 3. A program-cache hit through the Tensor API: a tiny graph on memory shared with JS, read back. CPU time
// (process.cpuUsage), median of batches: steadier than wall time on a shared machine.
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
function cpuTime(fn, inner = 3000, batches = 9) {
  const ts = [];
  for (let r = 0; r < batches; r++) {
    const t0 = cpuUs();
    for (let i = 0; i < inner; i++) fn();
    ts.push((cpuUs() - t0) / inner);
  }
  return ts.sort((a, b) => a - b)[Math.floor(batches / 2)];
}
const tinyData = new Float32Array(4);
const tiny = torch.fromNumpy(tinyData);
const tinyStep = () => {
  tinyData[0] += 1;
  return tiny.add(1).mul(2).sub(3).exp().dataSync();
};
for (let i = 0; i < 3000; i++) tinyStep();
const ptTiny = python(`
import json, time, torch, numpy as np
torch.set_num_threads(${threads})
a = np.zeros(4, dtype=np.float32); x = torch.from_numpy(a)
def f():
    a[0] += 1
    return (x.add(1).mul(2).sub(3).exp()).numpy().tolist()
for _ in range(3000): f()
ts = []
for _ in range(9):
    t0 = time.process_time()
    for _ in range(3000): f()
    ts.append((time.process_time() - t0) / 3000 * 1e6)
print(json.dumps(sorted(ts)[4]))
`);
table('x.add(1).mul(2).sub(3).exp() on 4 floats shared with JS, read back (us of CPU per call)', ['', 'us'], [
  ['graft (4 ops built, program-cache hit, 1 kernel call, read)', fmt(cpuTime(tinyStep), 1)],
  ['PyTorch (4 eager ops, read)', fmt(ptTiny, 1)],
]);
