import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { removeTranspiledSrc, transpiledSrc } from '../transpiled-src.js';
import { DeviceError, IndexError, ValueError, ZeroDivisionError } from '../../src/ir/index.js';
import { ccStats, compileShared, resetCcStats } from '../../src/compiler/cc.js';
import { KERNEL_STATUS, kernelStatusDefines } from '../../src/compiler/kernel-status.js';
import {
  addressOf,
  alignedArray,
  callKernels,
  hostArray,
  clearKernelLibraries,
  libraryCacheStats,
  loadKernelLibrary,
  nativeAddon,
  nowNs,
  openLibrary,
  type KernelLibrary,
} from '../../src/runtime/index.js';

// Hand-written kernels with the generated kernels' signature, `int name(void **bufs)`.
const SOURCE = `${kernelStatusDefines()}
#include <stdint.h>
#include <math.h>
/* y[i] = a * x[i] + y[i], i < 5; b[0]: float a, b[1]: float x[5], b[2]: float y[5] */
int axpy5(void **b) {
  const float a = *(const float *)b[0]; const float *x = b[1]; float *y = b[2];
  for (int i = 0; i < 5; i++) y[i] = a * x[i] + y[i];
  return GRAFT_OK;
}
/* out[0] = sum of x[0..3] (float64) */
int sum4(void **b) {
  const double *x = b[0]; double *out = b[1];
  double s = 0; for (int i = 0; i < 4; i++) s += x[i];
  out[0] = s; return GRAFT_OK;
}
/* out[0] = byte distance from b[0] to b[1]; out[1] = address of b[0] modulo 64 */
int where(void **b) {
  int32_t *out = b[2];
  out[0] = (int32_t)((const char *)b[1] - (const char *)b[0]);
  out[1] = (int32_t)((uintptr_t)b[0] % 64);
  return GRAFT_OK;
}
/* out[i] = x[idx[i]], i < 3, x has 4 elements: an index outside 0..3 is an IndexError, nothing written */
int gather3(void **b) {
  const float *x = b[0]; const int32_t *idx = b[1]; float *out = b[2];
  for (int i = 0; i < 3; i++) if (idx[i] < 0 || idx[i] >= 4) return GRAFT_INDEX_ERROR;
  for (int i = 0; i < 3; i++) out[i] = x[idx[i]];
  return GRAFT_OK;
}
/* out[0] = p[0] / q[0] (int32), division by zero reported */
int idiv(void **b) {
  const int32_t *p = b[0], *q = b[1]; int32_t *out = b[2];
  if (q[0] == 0) return GRAFT_ZERO_DIVISION;
  out[0] = p[0] / q[0]; return GRAFT_OK;
}
int weird(void **b) { return 77; }
/* y[0] = sqrt(x[0]) + 1 (float32): reads what an earlier kernel wrote */
int sqrt_plus1(void **b) { const float *x = b[0]; float *y = b[1]; y[0] = sqrtf(x[0]) + 1.0f; return GRAFT_OK; }
`;

let dir: string;
let lib: KernelLibrary;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'graft-native-test-'));
  process.env.GRAFT_CACHE_DIR = dir;
  lib = openLibrary(compileShared(SOURCE));
});
afterAll(() => {
  lib.close();
  clearKernelLibraries();
  removeTranspiledSrc();
  rmSync(dir, { recursive: true, force: true });
});

describe('calling kernels', () => {
  test('works on Float32Array memory in place', () => {
    const y = new Float32Array([1, 2, 3, 4, 5]);
    lib.kernel('axpy5').call([new Float32Array([2]), new Float32Array([10, 20, 30, 40, 50]), y], [4, 20, 20]);
    expect([...y]).toEqual([21, 42, 63, 84, 105]);
  });

  test('passes views with a nonzero byteOffset at their first element', () => {
    const backing = new Float64Array([100, 1, 2, 3, 4, 200, 0]);
    const x = new Float64Array(backing.buffer, 8, 4); // 1, 2, 3, 4
    const out = new Float64Array(backing.buffer, 48, 1); // backing[6]
    lib.kernel('sum4').call([x, out], [32, 8]);
    expect([...backing]).toEqual([100, 1, 2, 3, 4, 200, 10]);
    // The pointers the kernel sees: two views of one buffer, 12 bytes apart (a DataView works too).
    const mem = new ArrayBuffer(64);
    const res = new Int32Array(2);
    lib.kernel('where').call([new Uint8Array(mem, 4, 8), new DataView(mem, 16, 8), res], [0, 0, 8]);
    expect(res[0]).toBe(12);
  });

  test('alignedArray memory is 64-byte aligned, zero-filled and of the requested type and size', () => {
    const res = new Int32Array(2);
    for (const [dtype, n] of [['float32', 1], ['float64', 3], ['int32', 1000], ['bool', 17], ['float32', 1 << 18]] as const) {
      const a = alignedArray(dtype, n);
      expect(a.length).toBe(n);
      expect(a.constructor.name).toBe({ float32: 'Float32Array', float64: 'Float64Array', int32: 'Int32Array', bool: 'Uint8Array' }[dtype]);
      expect(a.every((v) => v === 0)).toBe(true);
      lib.kernel('where').call([a, a, res], [0, 0, 8]);
      expect(res[1]).toBe(0);
    }
    expect(alignedArray('float32', 0).length).toBe(0);
    expect(() => alignedArray('float32', -1)).toThrow(ValueError);
    expect(() => alignedArray('float32', 1.5)).toThrow(ValueError);
  });

  test('alignedArray memory is freed by the GC inside a synchronous loop', () => {
    // 100 arrays of 16 MiB, one alive at a time: 1.6 GiB in total, never more than a fraction of it held.
    let peak = 0;
    for (let i = 0; i < 100; i++) {
      const a = alignedArray('float32', 4 << 20);
      a[0] = 1;
      a[a.length - 1] = 2;
      peak = Math.max(peak, process.memoryUsage().external);
    }
    expect(peak).toBeLessThan(800 * 2 ** 20);
  });

  test('kernel status codes become typed errors naming the kernel', () => {
    const x = new Float32Array([5, 6, 7, 8]);
    const out = new Float32Array(3);
    lib.kernel('gather3').call([x, new Int32Array([3, 0, 2]), out], [16, 12, 12]);
    expect([...out]).toEqual([8, 5, 7]);
    const fresh = new Float32Array(3);
    const gather = () => lib.kernel('gather3').call([x, new Int32Array([1, 4, 0]), fresh], [16, 12, 12]);
    expect(gather).toThrow(IndexError);
    expect(gather).toThrow('index out of range in self (kernel gather3)');
    expect([...fresh]).toEqual([0, 0, 0]);

    const q = new Int32Array([0]);
    const div = () => lib.kernel('idiv').call([new Int32Array([7]), q, new Int32Array(1)], [4, 4, 4]);
    expect(div).toThrow(ZeroDivisionError);
    expect(div).toThrow(/kernel idiv/);
    q[0] = 2;
    const r = new Int32Array(1);
    lib.kernel('idiv').call([new Int32Array([7]), q, r], [4, 4, 4]);
    expect(r[0]).toBe(3);

    expect(() => lib.kernel('weird').call([], [])).toThrow(DeviceError);
    expect(() => lib.kernel('weird').call([], [])).toThrow(/kernel weird failed with unknown status 77/);
    expect(KERNEL_STATUS).toEqual({ indexError: 1, zeroDivision: 2, negativePower: 3, outOfMemory: 4 });
  });

  test('buffers that are too small, missing or not views are refused before the call', () => {
    const y = new Float32Array([1, 2, 3, 4, 5]);
    const a = new Float32Array([2]);
    const axpy = lib.kernel('axpy5');
    // x has 4 elements where the kernel reads 5: refused, y untouched.
    expect(() => axpy.call([a, new Float32Array(4), y], [4, 20, 20])).toThrow(ValueError);
    expect(() => axpy.call([a, new Float32Array(4), y], [4, 20, 20])).toThrow(
      'kernel axpy5: buffer 1 holds 16 bytes but the kernel touches 20',
    );
    // A view of 5 elements that starts 4 bytes before the end of its buffer is 4 bytes long.
    expect(() => axpy.call([a, new Float32Array(new ArrayBuffer(24), 20, 1), y], [4, 20, 20])).toThrow(ValueError);
    expect(() => axpy.call([a, y], [4, 20, 20])).toThrow('kernel axpy5: expected 3 buffers, got 2');
    expect(() => axpy.call([a, y, y, y], [4, 20, 20])).toThrow(ValueError);
    const notView = [1, 2, 3, 4, 5] as unknown as ArrayBufferView;
    expect(() => axpy.call([a, notView, y], [4, 20, 20])).toThrow('kernel axpy5: buffer 1 is not a typed array or DataView');
    expect(() => axpy.call([a, y, y], [4, -1, 20])).toThrow(/minBytes\[1\] must be a non-negative integer/);
    expect(() => axpy.call([a, y, y], [4, 2.5, 20])).toThrow(ValueError);
    // A buffer whose memory was transferred away has no bytes left.
    const moved = new Float32Array(5);
    structuredClone(moved.buffer, { transfer: [moved.buffer] });
    expect(() => axpy.call([a, moved, y], [4, 20, 20])).toThrow(/detached or transferred/);
    expect([...y]).toEqual([1, 2, 3, 4, 5]);
  });

  test('an unknown kernel name is a ValueError', () => {
    expect(() => lib.kernel('no_such_kernel')).toThrow(ValueError);
    expect(() => lib.kernel('no_such_kernel')).toThrow(/no kernel named "no_such_kernel"/);
  });

  test('a missing or invalid shared object is a DeviceError with the loader message', () => {
    expect(() => openLibrary(join(dir, 'absent.so'))).toThrow(DeviceError);
    expect(() => openLibrary(join(dir, 'absent.so'))).toThrow(/absent\.so.*No such file/);
    const junk = join(dir, 'junk.so');
    writeFileSync(junk, 'not an object file');
    expect(() => openLibrary(junk)).toThrow(DeviceError);
  });

  test('a closed library refuses calls instead of crashing, through the typed API and the raw addon', () => {
    const own = openLibrary(compileShared(SOURCE));
    const k = own.kernel('axpy5');
    own.close();
    own.close(); // closing twice does nothing
    expect(own.closed).toBe(true);
    const bufs = [new Float32Array(1), new Float32Array(5), new Float32Array(5)];
    expect(() => k.call(bufs, [4, 20, 20])).toThrow(ValueError);
    expect(() => k.call(bufs, [4, 20, 20])).toThrow(/was closed/);
    expect(() => own.kernel('sum4')).toThrow(/was closed/);

    const raw = nativeAddon();
    const id = raw.open(compileShared(SOURCE));
    const kid = raw.symbol(id, 'axpy5');
    expect(raw.close(id)).toBe(true);
    expect(raw.close(id)).toBe(false);
    expect(() => raw.call(kid, bufs, [4, 20, 20])).toThrow(/called after its library .* was closed/);
    expect(() => raw.callMany([kid], [bufs], [[4, 20, 20]])).toThrow(/was closed/);
    expect(() => raw.symbol(id, 'axpy5')).toThrow(/is closed/);
  });

  test('the raw addon refuses nonsense with JS errors', () => {
    const raw = nativeAddon();
    const lib2 = raw.open(compileShared(SOURCE));
    const live = raw.symbol(lib2, 'weird');
    expect(raw.call(live, [], [])).toBe(77);
    expect(() => raw.call(1e9, [], [])).toThrow(RangeError);
    expect(() => raw.call(-1, [], [])).toThrow(RangeError);
    expect(() => raw.call(0.5, [], [])).toThrow(RangeError);
    expect(() => raw.call(live, [1, 2] as unknown as ArrayBufferView[], [0, 0])).toThrow(TypeError);
    expect(() => raw.call(live, {} as unknown as ArrayBufferView[], [])).toThrow(TypeError);
    expect(() => (raw.call as (k: number, b: ArrayBufferView[]) => number)(live, [])).toThrow(TypeError);
    expect(() => raw.close(1e9)).toThrow(RangeError);
    expect(() => raw.open(42 as unknown as string)).toThrow(TypeError);
    expect(() => raw.addressMod(new Uint8Array(4), 0)).toThrow(RangeError);
    expect(() => raw.addressMod({} as ArrayBufferView, 64)).toThrow(TypeError);
    expect(() => raw.callMany([live], [], [])).toThrow(RangeError);
    // The addon checks sizes itself: a buffer smaller than its minBytes entry, or a missing entry, is refused.
    const axpy = raw.symbol(lib2, 'axpy5');
    const y = new Float32Array(5);
    expect(() => raw.call(axpy, [new Float32Array(1), new Float32Array(4), y], [4, 20, 20])).toThrow(RangeError);
    expect(() => raw.call(axpy, [new Float32Array(1), new Float32Array(5), y], [4, 20])).toThrow(RangeError);
    expect(() => raw.call(axpy, [new Float32Array(1), new Float32Array(5), y], [4, '20', 20] as unknown as number[])).toThrow(
      RangeError,
    );
    expect(() => raw.callMany([axpy], [[new Float32Array(1), new Float32Array(5), y]], [[4, 20, 21]])).toThrow(RangeError);
    expect([...y]).toEqual([0, 0, 0, 0, 0]);
    raw.close(lib2);
  });

  test('runTable: kernels in one call from addresses and sizes per slot; everything checked before the first runs', () => {
    const raw = nativeAddon();
    const lib = raw.open(compileShared(SOURCE));
    const axpy = raw.symbol(lib, 'axpy5');
    const weird = raw.symbol(lib, 'weird');
    // Slots: 0 = a, 1 = x, 2 = y. Two axpy calls: y += 2x, twice.
    const a = hostArray('float32', 1) as Float32Array;
    const x = hostArray('float32', 5) as Float32Array;
    const y = hostArray('float32', 5) as Float32Array;
    a[0] = 2;
    x.set([1, 2, 3, 4, 5]);
    y.fill(0);
    const views = [a, x, y];
    const addrs = Float64Array.from(views, (v) => addressOf(v));
    const bytes = Float64Array.from(views, (v) => v.byteLength);
    expect(addrs.every((d, i) => d === raw.addressOf(views[i]!))).toBe(true);
    const one = [axpy, 3, 0, 4, 1, 20, 2, 20];
    expect(raw.runTable(Float64Array.from([2, ...one, ...one]), addrs, bytes)).toBe(0);
    expect([...y]).toEqual([4, 8, 12, 16, 20]);
    // A failing kernel: its position and status.
    expect(raw.runTable(Float64Array.from([2, ...one, weird, 0]), addrs, bytes)).toBe(1 * 256 + 77);
    expect([...y]).toEqual([6, 12, 18, 24, 30]);
    const before = [...y];
    // Nonsense refused before any kernel runs: a slot too small, out of range, a null address, bad ids and counts.
    const small = Float64Array.from([4, 20, 19]);
    expect(() => raw.runTable(Float64Array.from([2, ...one, ...one]), addrs, small)).toThrow(RangeError);
    expect(() => raw.runTable(Float64Array.from([1, axpy, 3, 0, 4, 1, 20, 7, 20]), addrs, bytes)).toThrow(/slot out of range/);
    expect(() => raw.runTable(Float64Array.from([1, ...one]), Float64Array.from([addrs[0]!, 0, addrs[2]!]), bytes)).toThrow(/no valid address/);
    expect(() => raw.runTable(Float64Array.from([1, 1e9, 0]), addrs, bytes)).toThrow(RangeError);
    expect(() => raw.runTable(Float64Array.from([5, ...one]), addrs, bytes)).toThrow(RangeError);
    expect(() => raw.runTable(Float64Array.from([1, axpy, 99]), addrs, bytes)).toThrow(RangeError);
    expect(() => raw.runTable(Float64Array.from([1, ...one]), addrs, Float64Array.from([4, 20]))).toThrow(TypeError);
    expect(() => raw.runTable([1] as unknown as Float64Array, addrs, bytes)).toThrow(TypeError);
    expect(() => raw.runTable(new Float32Array(3) as unknown as Float64Array, addrs, bytes)).toThrow(TypeError);
    expect([...y]).toEqual(before);
    raw.close(lib);
    expect(() => raw.runTable(Float64Array.from([1, ...one]), addrs, bytes)).toThrow(/was closed/);
    expect(() => raw.addressOf({} as ArrayBufferView)).toThrow(TypeError);
  });

  test('JS run while arguments are read (getters) cannot close the library or free a buffer under the call', () => {
    const raw = nativeAddon();
    const id = raw.open(compileShared(SOURCE));
    const axpy = raw.symbol(id, 'axpy5');
    const a = new Float32Array([1]);
    const x = new Float32Array(5);
    const y = new Float32Array(5);
    const closing = [a, x, y];
    Object.defineProperty(closing, 2, { get: () => (raw.close(id), y) });
    expect(() => raw.call(axpy, closing, [4, 20, 20])).toThrow(/was closed/);

    const id2 = raw.open(compileShared(SOURCE));
    const axpy2 = raw.symbol(id2, 'axpy5');
    const detaching = [a, x, y];
    Object.defineProperty(detaching, 2, { get: () => (structuredClone(x.buffer, { transfer: [x.buffer] }), y) });
    expect(() => raw.call(axpy2, detaching, [4, 20, 20])).toThrow(RangeError);
    raw.close(id2);

    // A getter may even call into the addon again: the outer call still runs on its own, checked buffers.
    const id3 = raw.open(compileShared(SOURCE));
    const axpy3 = raw.symbol(id3, 'axpy5');
    const sum4 = raw.symbol(id3, 'sum4');
    const x3 = new Float32Array([1, 2, 3, 4, 5]);
    const y3 = new Float32Array(5);
    const s3 = new Float64Array(1);
    const nesting = [new Float32Array([2]), x3, y3];
    Object.defineProperty(nesting, 1, { get: () => (raw.call(sum4, [new Float64Array([1, 2, 3, 4]), s3], [32, 8]), x3) });
    const mins = [4, 20, 20];
    Object.defineProperty(mins, 2, { get: () => (raw.call(sum4, [new Float64Array([4, 4, 4, 4]), s3], [32, 8]), 20) });
    expect(raw.call(axpy3, nesting, mins)).toBe(0);
    expect([...y3]).toEqual([2, 4, 6, 8, 10]);
    expect(s3[0]).toBe(16);
    raw.close(id3);

    // The typed API reads each argument once and hands the addon exactly what it checked.
    let reads = 0;
    const x2 = new Float32Array([1, 1, 1, 1, 1]);
    const shifty = [a, x2, y];
    Object.defineProperty(shifty, 1, { get: () => (reads++ === 0 ? x2 : new Float32Array(1)) });
    lib.kernel('axpy5').call(shifty, [4, 20, 20]);
    expect(reads).toBe(1);
    expect([...y]).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('callKernels', () => {
  test('runs kernels in order in one native call', () => {
    const x = new Float64Array([1, 2, 3, 10]);
    const s = new Float64Array(1);
    const sf = new Float32Array([0]);
    const y = new Float32Array(1);
    callKernels([
      { kernel: lib.kernel('sum4'), buffers: [x, s], minBytes: [32, 8] },
      { kernel: lib.kernel('axpy5'), buffers: [new Float32Array([16]), new Float32Array([1, 0, 0, 0, 0]), new Float32Array(5)], minBytes: [4, 20, 20] },
      { kernel: lib.kernel('sqrt_plus1'), buffers: [new Float32Array([16]), sf], minBytes: [4, 4] },
      { kernel: lib.kernel('sqrt_plus1'), buffers: [sf, y], minBytes: [4, 4] },
    ]);
    expect(s[0]).toBe(16);
    expect(sf[0]).toBe(5); // sqrt(16) + 1
    expect(y[0]).toBeCloseTo(Math.sqrt(5) + 1, 6); // read what the step before wrote
  });

  test('stops at the first failing kernel and names it', () => {
    const out = new Float32Array([0]);
    const steps = [
      { kernel: lib.kernel('sqrt_plus1'), buffers: [new Float32Array([9]), out], minBytes: [4, 4] },
      { kernel: lib.kernel('idiv'), buffers: [new Int32Array([1]), new Int32Array([0]), new Int32Array(1)], minBytes: [4, 4, 4] },
      { kernel: lib.kernel('sqrt_plus1'), buffers: [new Float32Array([100]), out], minBytes: [4, 4] },
    ];
    expect(() => callKernels(steps)).toThrow(ZeroDivisionError);
    expect(() => callKernels(steps)).toThrow(/kernel idiv/);
    expect(out[0]).toBe(4); // the first step ran, the third did not
  });

  test('checks every step before running any', () => {
    const out = new Float32Array([0]);
    const steps = [
      { kernel: lib.kernel('sqrt_plus1'), buffers: [new Float32Array([9]), out], minBytes: [4, 4] },
      { kernel: lib.kernel('sum4'), buffers: [new Float64Array(3), new Float64Array(1)], minBytes: [32, 8] },
    ];
    expect(() => callKernels(steps)).toThrow('kernel sum4: buffer 0 holds 24 bytes but the kernel touches 32');
    expect(out[0]).toBe(0);
  });
});

describe('loadKernelLibrary', () => {
  test('opens each source once per process', () => {
    resetCcStats();
    const src = `int one(void **b) { *(int *)b[0] = 1; return 0; }\n`;
    const loadsBefore = libraryCacheStats.loads;
    const hitsBefore = libraryCacheStats.hits;
    const a = loadKernelLibrary(src);
    const b = loadKernelLibrary(src);
    expect(b).toBe(a);
    expect(libraryCacheStats.loads - loadsBefore).toBe(1);
    expect(libraryCacheStats.hits - hitsBefore).toBe(1);
    expect(ccStats.compiles + ccStats.hits).toBe(1); // the disk cache was asked once
    // A closed library is loaded again (from the disk cache, without compiling).
    a.close();
    const c = loadKernelLibrary(src);
    expect(c).not.toBe(a);
    expect(ccStats.hits).toBe(1);
    const r = new Int32Array(1);
    c.kernel('one').call([r], [4]);
    expect(r[0]).toBe(1);
  });
});

test('nowNs is a monotonic clock in nanoseconds', async () => {
  const t0 = nowNs();
  const h0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, 30));
  const t1 = nowNs();
  const h1 = process.hrtime.bigint();
  expect(t1 - t0).toBeGreaterThanOrEqual(25e6);
  expect(Math.abs(t1 - t0 - Number(h1 - h0))).toBeLessThan(5e6);
});

test('without the built addon, using it is a DeviceError that says how to build it', () => {
  // The transpiled copy of src/ lives outside the package root, so its loader finds no build/ directory:
  // the situation of an install made with --ignore-scripts.
  const native = join(transpiledSrc(), 'runtime', 'native.js');
  const script = `
    const { nativeAvailable, alignedArray } = await import(${JSON.stringify(native)});
    let err;
    try { alignedArray('float32', 4); } catch (e) { err = e; }
    console.log(JSON.stringify({ available: nativeAvailable(), name: err?.name, message: err?.message }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { available: boolean; name: string; message: string };
  expect(out.available).toBe(false);
  expect(out.name).toBe('DeviceError');
  expect(out.message).toMatch(/graft native addon could not be loaded .*npm install.*npm rebuild/);
});

test('OpenMP kernels run, and closing their libraries does not unload the thread runtime under its threads', () => {
  // In a child process, so that a crash shows as a failed exit status rather than killing the test runner.
  const omp = `
    #include <omp.h>
    int par_sum(void **b) {
      const double *x = b[0]; double *out = b[1]; double s = 0;
      #pragma omp parallel for reduction(+:s) num_threads(2)
      for (int i = 0; i < 100000; i++) s += x[i];
      out[0] = s; out[1] = omp_get_max_threads() > 0;
      return 0;
    }`;
  const paths = [compileShared(omp), compileShared(omp + '\n/* another object */\n')];
  const addonPath = fileURLToPath(new URL('../../build/Release/graft.node', import.meta.url));
  const script = `
    const addon = require(${JSON.stringify(addonPath)});
    const paths = ${JSON.stringify(paths)};
    const x = new Float64Array(100000).map((_, i) => i);
    const results = [];
    for (let round = 0; round < 3; round++) {
      for (const p of paths) {
        const lib = addon.open(p);
        const out = new Float64Array(2);
        if (addon.call(addon.symbol(lib, 'par_sum'), [x, out], [800000, 16]) !== 0) process.exit(3);
        results.push(out[0]);
        addon.close(lib);
      }
      const until = Date.now() + 50; while (Date.now() < until) {}  // let the pool's threads go idle
    }
    console.log(JSON.stringify(results));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  const sums = JSON.parse(r.stdout) as number[];
  expect(sums).toEqual(new Array(6).fill((99999 * 100000) / 2));
});
