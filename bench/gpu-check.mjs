// The check to run when a GPU machine is lent (see /work/shared/device/README.md for carrying node and the
// build; bench/gpu-pack.sh packs it all into .device/): plain Node over the built package (`npm run build`,
// addon built), no test runner.
//
//   node bench/gpu-check.mjs
//
// 1. the machine (nvidia-smi, the CUDA libraries the loader sees) and the native driver's info;
// 2. CUDA C through the driver (NVRTC, module load, launches): saxpy, a block-tree sum with warp shuffles,
//    float64/int64 arguments, dynamic shared memory above 48 KiB — each checked against values computed here;
// 3. copy bandwidth: host to device and back (pageable memory), device to device;
// 4. only when graft's `cuda` device is registered (torch.cuda.isAvailable()): x.cuda() ops, matmul, an MLP
//    training step, checked against the cpu device, and PyTorch's timings of the same work run by python3 in
//    this same run when it is there.
// On a machine without a driver it prints "no CUDA driver: <reason>" and exits 0. Everything printed also goes
// to $OUT/gpu-check.log, and the figures to $OUT/gpu-check.json, when $OUT is set.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openNativeDriver } from '../dist/runtime/cuda/driver-native.js';

const OUT = process.env.OUT;
const lines = [];
const report = { started: new Date().toISOString(), node: process.version };
function log(...parts) {
  const s = parts.join(' ');
  lines.push(s);
  console.log(s);
}
function save() {
  if (!OUT) return;
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'gpu-check.log'), `${lines.join('\n')}\n`);
  writeFileSync(join(OUT, 'gpu-check.json'), `${JSON.stringify(report, (_, v) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`);
}
function step(name, fn) {
  try {
    return fn();
  } catch (e) {
    log(`  ${name}: FAILED: ${e?.stack ?? e}`);
    (report.failures ??= []).push({ name, error: String(e?.message ?? e) });
    return undefined;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median ms of fn() (which must end synchronized) over reps after warm runs. */
function time(fn, reps = 10, warm = 2) {
  for (let i = 0; i < warm; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}
const fmt = (x, d = 3) => (x === undefined || x === null ? 'n/a' : Number(x).toPrecision(d));

// ---- 1. the machine and the driver
const smi = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' });
log(`nvidia-smi: ${smi.status === 0 ? smi.stdout.trim() : 'not available'}`);
const ldc = spawnSync('sh', ['-c', "ldconfig -p 2>/dev/null | grep -E 'libcuda\\.so|libnvrtc\\.so' | awk '{print $1}' | sort -u | tr '\\n' ' '"], { encoding: 'utf8' });
log(`loader sees: ${ldc.stdout?.trim() || 'no libcuda / libnvrtc'}`);

const opened = openNativeDriver();
if (!('driver' in opened)) {
  log(`no CUDA driver: ${opened.reason}`);
  report.driver = { ok: false, reason: opened.reason };
  save();
  process.exit(0);
}
const d = opened.driver;
const dev = d.info(0);
report.driver = {
  ok: true,
  driverVersion: d.driverVersion,
  nvrtcVersion: d.nvrtcVersion,
  cudaLibrary: d.cudaLibrary,
  nvrtcLibrary: d.nvrtcLibrary,
  devices: Array.from({ length: d.deviceCount() }, (_, i) => d.info(i)),
  memInfo: d.memInfo(0),
};
log(`driver: CUDA ${Math.floor(d.driverVersion / 1000)}.${(d.driverVersion % 1000) / 10} (${d.cudaLibrary}), NVRTC ${d.nvrtcVersion.join('.')} (${d.nvrtcLibrary})`);
for (const [i, info] of report.driver.devices.entries()) {
  log(`cuda:${i}: ${info.name}, sm_${info.major}${info.minor}, ${info.multiprocessors} SMs, ${(info.totalBytes / 2 ** 30).toFixed(1)} GiB`);
}
log(`memInfo cuda:0: ${(report.driver.memInfo.free / 2 ** 30).toFixed(1)} GiB free of ${(report.driver.memInfo.total / 2 ** 30).toFixed(1)}`);

// ---- 2. CUDA C through the driver
const SOURCE = `
extern "C" __global__ void saxpy(float a, const float *__restrict__ x, float *__restrict__ y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
// One partial sum per block: a grid-stride loop, then a tree over the block with warp shuffles.
extern "C" __global__ void sum_partial(const float *__restrict__ x, float *__restrict__ out, int n) {
  float s = 0.f;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) s += x[i];
  for (int o = 16; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffffu, s, o);
  __shared__ float warp[32];
  int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
  if (lane == 0) warp[w] = s;
  __syncthreads();
  if (w == 0) {
    s = lane < (int)(blockDim.x >> 5) ? warp[lane] : 0.f;
    for (int o = 16; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffffu, s, o);
    if (lane == 0) out[blockIdx.x] = s;
  }
}
extern "C" __global__ void scale_f64(double a, double *y, long long n) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < n) y[i] *= a;
}
// Dynamic shared memory beyond the default 48 KiB: out[b] = sum of 0..m-1 staged through shared memory.
extern "C" __global__ void shared_big(float *out, int m) {
  extern __shared__ float sm[];
  for (int i = threadIdx.x; i < m; i += blockDim.x) sm[i] = (float)i;
  __syncthreads();
  if (threadIdx.x == 0) { float s = 0.f; for (int i = 0; i < m; i++) s += sm[i]; out[blockIdx.x] = s; }
}
`;
step('driver kernels', () => {
  const t0 = performance.now();
  const fns = d.loadModule(0, SOURCE, ['saxpy', 'sum_partial', 'scale_f64', 'shared_big']);
  log(`module: compiled/loaded in ${(performance.now() - t0).toFixed(1)} ms (sm_${dev.major}${dev.minor})`);
  const n = 1 << 24;
  const hx = new Float32Array(n);
  const hy = new Float32Array(n);
  for (let i = 0; i < n; i++) ((hx[i] = (i % 1000) / 1000), (hy[i] = ((i * 7) % 13) - 6));
  const x = d.malloc(0, 4 * n);
  const y = d.malloc(0, 4 * n);
  const partial = d.malloc(0, 4 * 1024);
  const total = d.malloc(0, 4);
  d.copyHtoD(0, x, hx);
  d.copyHtoD(0, y, hy);
  const block = 256;
  d.launch(fns.get('saxpy'), [Math.ceil(n / block), 1, 1], [block, 1, 1], 0, [{ f32: 2.5 }, { ptr: x }, { ptr: y }, { i32: n }]);
  const got = new Float32Array(n);
  d.copyDtoH(0, got, y);
  let bad = 0;
  for (let i = 0; i < n; i++) if (got[i] !== Math.fround(Math.fround(2.5 * hx[i]) + hy[i])) bad++;
  log(`saxpy 2^24: ${bad === 0 ? 'ok' : `${bad} wrong values`}`);
  const sum = () => {
    d.launch(fns.get('sum_partial'), [1024, 1, 1], [256, 1, 1], 0, [{ ptr: x }, { ptr: partial }, { i32: n }]);
    d.launch(fns.get('sum_partial'), [1, 1, 1], [1024, 1, 1], 0, [{ ptr: partial }, { ptr: total }, { i32: 1024 }]);
  };
  sum();
  const s = new Float32Array(1);
  d.copyDtoH(0, s, total);
  let ref = 0;
  for (let i = 0; i < n; i++) ref += hx[i];
  const rel = Math.abs(s[0] - ref) / Math.abs(ref);
  log(`sum 2^24 (block tree, warp shuffles): ${s[0]} vs ${ref} (rel ${rel.toExponential(2)}) ${rel < 1e-4 ? 'ok' : 'WRONG'}`);
  const saxpyMs = time(() => {
    d.launch(fns.get('saxpy'), [Math.ceil(n / block), 1, 1], [block, 1, 1], 0, [{ f32: 1 }, { ptr: x }, { ptr: y }, { i32: n }]);
    d.synchronize(0);
  }, 50, 5);
  const sumMs = time(() => (sum(), d.synchronize(0)), 50, 5);
  log(`saxpy 2^24: ${fmt(saxpyMs)} ms (${fmt((12 * n) / saxpyMs / 1e6)} GB/s incl. launch+sync); sum: ${fmt(sumMs)} ms (${fmt((4 * n) / sumMs / 1e6)} GB/s)`);

  const m = 1000;
  const yd = d.malloc(0, 8 * m);
  d.copyHtoD(0, yd, Float64Array.from({ length: m }, (_, i) => i + 0.5));
  d.launch(fns.get('scale_f64'), [4, 1, 1], [256, 1, 1], 0, [{ f64: 1e-300 }, { ptr: yd }, { i64: m }]);
  const yh = new Float64Array(m);
  d.copyDtoH(0, yh, yd);
  const f64ok = yh.every((v, i) => v === (i + 0.5) * 1e-300);
  log(`float64/int64 arguments: ${f64ok ? 'ok' : 'WRONG'}`);
  const words = 24 * 1024; // 96 KiB of dynamic shared memory
  const sb = d.malloc(0, 4 * 2);
  d.launch(fns.get('shared_big'), [2, 1, 1], [256, 1, 1], 4 * words, [{ ptr: sb }, { i32: words }]);
  const sh = new Float32Array(2);
  d.copyDtoH(0, sh, sb);
  let sref = 0;
  for (let i = 0; i < words; i++) sref = Math.fround(sref + i);
  log(`96 KiB dynamic shared memory: ${sh[0] === sref && sh[1] === sref ? 'ok' : `WRONG ${sh} vs ${sref}`}`);
  report.kernels = { saxpyOk: bad === 0, sumRel: rel, f64ok, sharedOk: sh[0] === sref, saxpyMs, sumMs };
  for (const p of [x, y, partial, total, yd, sb]) d.free(0, p);
});

// ---- 3. copies
step('copies', () => {
  const bytes = 256 << 20;
  const host = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 4096) host[i] = i & 255;
  const a = d.malloc(0, bytes);
  const b = d.malloc(0, bytes);
  const htod = time(() => (d.copyHtoD(0, a, host), d.synchronize(0)), 10, 2);
  const dtoh = time(() => d.copyDtoH(0, host, a), 10, 2);
  const dtod = time(() => (d.copyDtoD(0, b, a, bytes), d.synchronize(0)), 20, 3);
  const back = new Uint8Array(bytes);
  d.copyDtoH(0, back, b);
  let same = true;
  for (let i = 0; i < bytes; i += 4096) same &&= back[i] === (i & 255);
  report.copies = { bytes, htodGBs: bytes / htod / 1e6, dtohGBs: bytes / dtoh / 1e6, dtodGBs: (2 * bytes) / dtod / 1e6, roundTripOk: same };
  log(`copies of 256 MiB (pageable host memory): HtoD ${fmt(report.copies.htodGBs)} GB/s, DtoH ${fmt(report.copies.dtohGBs)} GB/s, DtoD ${fmt(report.copies.dtodGBs)} GB/s (read+write) ${same ? 'ok' : 'WRONG'}`);
  d.free(0, a);
  d.free(0, b);
});

// ---- 4. graft's cuda device, when registered, against PyTorch
let torch;
try {
  torch = await import('../dist/index.js');
} catch (e) {
  log(`graft package: not importable (${e.message.split('\n')[0]}); carry its dependencies (bench/gpu-pack.sh)`);
}
if (torch === undefined) {
  // reported above
} else if (!torch.cuda.isAvailable()) {
  log('graft cuda device: not registered (torch.cuda.isAvailable() is false): skipped');
} else {
  const g = (report.graft = {});
  const sync = () => torch.cuda.synchronize();
  step('graft elementwise + sum 2^26', () => {
    const n = 1 << 26;
    const x = torch.rand([n]).cuda().realize();
    const y = torch.rand([n]).cuda().realize();
    const f = () => x.mul(2).add(y).exp().mul(y).sum();
    const got = f().item();
    const want = x.cpu().mul(2).add(y.cpu()).exp().mul(y.cpu()).sum().item();
    g.fusedSumMs = time(() => (f().realize(), sync()), 20, 3);
    log(`graft cuda ((x*2+y).exp()*y).sum() 2^26: ${fmt(g.fusedSumMs)} ms, ${got} vs cpu ${want} (rel ${fmt(Math.abs(got - want) / Math.abs(want))})`);
  });
  step('graft matmul 4096', () => {
    const a = torch.rand([4096, 4096]).cuda().realize();
    const b = torch.rand([4096, 4096]).cuda().realize();
    g.matmulMs = time(() => (a.matmul(b).realize(), sync()), 5, 1);
    const small = torch.rand([256, 256]);
    const err = small.cuda().matmul(small.cuda()).cpu().sub(small.matmul(small)).abs().max().item();
    log(`graft cuda matmul 4096^3 fp32: ${fmt(g.matmulMs)} ms = ${fmt((2 * 4096 ** 3) / g.matmulMs / 1e9)} TFLOP/s; 256^3 max |gpu-cpu| ${fmt(err)}`);
  });
  step('graft MLP step', () => {
    const { nn, optim } = torch;
    torch.manualSeed(0);
    const net = new nn.Sequential(new nn.Linear(784, 1024), new nn.ReLU(), new nn.Linear(1024, 1024), new nn.ReLU(), new nn.Linear(1024, 10)).cuda();
    const opt = new optim.SGD(net.parameters(), { lr: 0.01 });
    const x = torch.rand([512, 784]).cuda().realize();
    const y = torch.randint(0, 10, [512]).cuda().realize();
    const stepFn = () => {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(net.call(x), y);
      loss.backward();
      opt.step();
      return loss;
    };
    const first = stepFn().item();
    g.mlpStepMs = time(() => stepFn().item(), 20, 3);
    log(`graft cuda MLP 784-1024-1024-10 batch 512 SGD step: ${fmt(g.mlpStepMs)} ms (first loss ${fmt(first)})`);
  });
}

// PyTorch in the same run, timed with CUDA events.
step('pytorch', () => {
  const py = `
import json, torch
r = {'version': torch.__version__, 'cuda': torch.cuda.is_available()}
if r['cuda']:
    dev = 'cuda'
    def t(f, reps=20, warm=3):
        for _ in range(warm): f()
        torch.cuda.synchronize(); ts = []
        for _ in range(reps):
            a = torch.cuda.Event(enable_timing=True); b = torch.cuda.Event(enable_timing=True)
            a.record(); f(); b.record(); b.synchronize(); ts.append(a.elapsed_time(b))
        return sorted(ts)[len(ts) // 2]
    torch.backends.cuda.matmul.allow_tf32 = False
    n = 1 << 26
    x = torch.rand(n, device=dev); y = torch.rand(n, device=dev)
    r['fusedSumMs'] = t(lambda: ((x * 2 + y).exp() * y).sum())
    big = torch.empty(256 << 18, device=dev); big2 = torch.empty_like(big)
    r['dtodGBs'] = 2 * big.numel() * 4 / t(lambda: big2.copy_(big)) / 1e6
    a = torch.rand(4096, 4096, device=dev); b = torch.rand(4096, 4096, device=dev)
    r['matmulMs'] = t(lambda: a @ b, 10, 2)
    import torch.nn as nn, torch.nn.functional as F
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10)).to(dev)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    xb = torch.rand(512, 784, device=dev); yb = torch.randint(0, 10, (512,), device=dev)
    def st():
        opt.zero_grad(); loss = F.cross_entropy(net(xb), yb); loss.backward(); opt.step(); loss.item()
    r['mlpStepMs'] = t(st)
print(json.dumps(r))
`;
  let out;
  const why = [];
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      out = execFileSync(python, ['-c', py], { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
      break;
    } catch (e) {
      why.push(`${python}: ${String(e.stderr ?? e.message).trim().split('\n').pop()}`);
    }
  }
  if (out === undefined) {
    log(`PyTorch: not run (${why.join('; ')})`);
    return;
  }
  const pt = (report.pytorch = JSON.parse(out.trim().split('\n').pop()));
  if (!pt.cuda) {
    log(`PyTorch ${pt.version}: no CUDA`);
    return;
  }
  log(`PyTorch ${pt.version}: fused sum 2^26 ${fmt(pt.fusedSumMs)} ms, DtoD ${fmt(pt.dtodGBs)} GB/s, matmul 4096^3 ${fmt(pt.matmulMs)} ms (${fmt((2 * 4096 ** 3) / pt.matmulMs / 1e9)} TFLOP/s), MLP step ${fmt(pt.mlpStepMs)} ms`);
  const g = report.graft;
  if (g) {
    const ratio = (a, b) => (a && b ? `${fmt(a / b)}x` : 'n/a');
    log(`graft / PyTorch: fused sum ${ratio(g.fusedSumMs, pt.fusedSumMs)}, matmul ${ratio(g.matmulMs, pt.matmulMs)}, MLP step ${ratio(g.mlpStepMs, pt.mlpStepMs)}`);
  }
});

report.finished = new Date().toISOString();
save();
log(report.failures ? `${report.failures.length} check(s) FAILED` : 'all checks ran');
process.exitCode = report.failures ? 1 : 0;
