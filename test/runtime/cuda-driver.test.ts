/**
 * The native CUDA driver (native/cuda_driver.cc, src/runtime/cuda/driver-native.ts) without a GPU: the
 * real loader on this machine (no libcuda.so.1: a reason naming it), then the whole driver over a fake
 * libcuda + NVRTC (test/runtime/cuda-fake.c, test-only) compiled here into a shared object: dlopen/dlsym,
 * argument checking and packing, error mapping, the PTX fallback and the module cache on disk.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CompileError, DeviceError, ValueError } from '../../src/ir/index.js';
import { nativeAddon, nativeAvailable } from '../../src/runtime/native.js';
import type { CudaDriver, CudaFunction, DriverOrReason } from '../../src/runtime/cuda/driver.js';
import { CudaDriverError, isCudaOutOfMemory } from '../../src/runtime/cuda/driver-error.js';
import {
  CUDA_LIBRARY_NAMES,
  NVRTC_LIBRARY_NAMES,
  NativeCudaDriver,
  openNativeDriver,
  probeNativeDriver,
  type NativeCuda,
} from '../../src/runtime/cuda/driver-native.js';
import { cudaModuleCacheStats, cudaModuleKey, cudaModulePath } from '../../src/runtime/cuda/module-cache.js';
import { seal } from '../../src/compiler/cache/disk-cache.js';

const FAKE_SOURCE = fileURLToPath(new URL('./cuda-fake.c', import.meta.url));
const KERNELS = `
extern "C" __global__ void saxpy(float a, const float *x, float *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) y[i] = a * x[i] + y[i];
}
extern "C" __global__ void axpy_f64(double a, const double *x, double *y, long long n) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; if (i < n) y[i] = a * x[i] + y[i];
}
extern "C" __global__ void launch_config(long long *out) {}
`;

let dir: string;
let fake: string;
let savedCacheDir: string | undefined;
const FAKE_ENV = [
  'FAKE_CUDA_INIT_ERROR',
  'FAKE_CUDA_DRIVER_VERSION',
  'FAKE_CUDA_DEVICES',
  'FAKE_CUDA_CC',
  'FAKE_CUDA_MEM',
  'FAKE_NVRTC_VERSION',
  'FAKE_NVRTC_ARCHS',
  'FAKE_CUDA_LAUNCH_ERROR',
  'GRAFT_CUDA_LIBRARY',
  'GRAFT_NVRTC_LIBRARY',
  'GRAFT_CUDA_INCLUDE',
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'graft-cuda-driver-test-'));
  savedCacheDir = process.env.GRAFT_CACHE_DIR;
  process.env.GRAFT_CACHE_DIR = join(dir, 'cache');
  fake = join(dir, 'libfakecuda.so');
  const cc = spawnSync('cc', ['-shared', '-fPIC', '-O1', '-o', fake, FAKE_SOURCE], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`compiling the fake CUDA library failed:\n${cc.stderr}`);
});
afterEach(() => {
  for (const k of FAKE_ENV) delete process.env[k];
});
afterAll(() => {
  if (savedCacheDir === undefined) delete process.env.GRAFT_CACHE_DIR;
  else process.env.GRAFT_CACHE_DIR = savedCacheDir;
  rmSync(dir, { recursive: true, force: true });
});

const rawCuda = (): NativeCuda => (nativeAddon() as unknown as { cuda: NativeCuda }).cuda;

function driverOf(r: DriverOrReason): CudaDriver {
  if (!('driver' in r)) throw new Error(`expected a driver, got: ${r.reason}`);
  return r.driver;
}
const openFake = (): CudaDriver => driverOf(probeNativeDriver({ cudaLibraries: [fake], nvrtcLibraries: [fake] }));
const reasonOf = (r: DriverOrReason): string => ('reason' in r ? r.reason : 'a driver');

describe('without a driver (this machine)', () => {
  test('the addon loads and has the cuda object; its calls refuse before init', () => {
    expect(nativeAvailable()).toBe(true);
    const cuda = rawCuda();
    for (const f of ['init', 'deviceInfo', 'malloc', 'free', 'memInfo', 'copyHtoD', 'copyDtoH', 'copyDtoD', 'memsetD8', 'compile', 'loadModule', 'getFunction', 'launch', 'synchronize']) {
      expect(typeof (cuda as unknown as Record<string, unknown>)[f]).toBe('function');
    }
    expect(() => cuda.malloc(0, 4)).toThrow('not initialized');
    expect(() => cuda.deviceInfo(0)).toThrow('not initialized');
    expect(() => cuda.launch(0, [1, 1, 1], [1, 1, 1], 0, new Uint8Array(0), new Uint8Array(0))).toThrow('not initialized');
    expect(() => (cuda.init as (...a: unknown[]) => unknown)(1, 2)).toThrow(TypeError);
    expect(() => (cuda.init as (...a: unknown[]) => unknown)([1], [])).toThrow(TypeError);
  });

  test('openNativeDriver gives a reason naming libcuda.so.1 (unless a real driver is here)', () => {
    const r = openNativeDriver();
    if ('driver' in r) {
      expect(r.driver.kind).toBe('driver'); // a GPU machine: nothing more to say here
      return;
    }
    expect(r.reason).toContain('libcuda.so.1');
    expect(r.reason).toContain('not found');
    expect(openNativeDriver()).toBe(r); // probed once
    expect(CUDA_LIBRARY_NAMES).toEqual(['libcuda.so.1']);
  });

  test('bench/gpu-check.mjs says there is no driver and why, and exits 0', () => {
    if ('driver' in openNativeDriver()) return; // a GPU machine: the script runs its checks there
    const env: NodeJS.ProcessEnv = { ...process.env, OUT: join(dir, 'gpu-out') };
    for (const k of FAKE_ENV) delete env[k];
    const script = fileURLToPath(new URL('../../bench/gpu-check.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^no CUDA driver: CUDA driver library not found \(tried libcuda\.so\.1/m);
    const report = JSON.parse(readFileSync(join(dir, 'gpu-out', 'gpu-check.json'), 'utf8'));
    expect(report.driver.ok).toBe(false);
    expect(readFileSync(join(dir, 'gpu-out', 'gpu-check.log'), 'utf8')).toContain('no CUDA driver:');
  });

  test('a missing library is named with the loader’s message', () => {
    const r = probeNativeDriver({ cudaLibraries: [join(dir, 'nope', 'libcuda.so.1'), 'libgraft-no-such-cuda.so'], nvrtcLibraries: [] });
    expect(reasonOf(r)).toMatch(/^CUDA driver library not found \(tried .*nope\/libcuda\.so\.1.*; libgraft-no-such-cuda\.so/);
  });
});

describe('probing the fake driver', () => {
  test('why there is no driver: cuInit error, no device, driver too old, NVRTC missing or too new', () => {
    const probe = () => reasonOf(probeNativeDriver({ cudaLibraries: [fake], nvrtcLibraries: [fake] }));
    process.env.FAKE_CUDA_INIT_ERROR = '100';
    expect(probe()).toBe('cuInit failed: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)');
    delete process.env.FAKE_CUDA_INIT_ERROR;
    process.env.FAKE_CUDA_DEVICES = '0';
    expect(probe()).toMatch(/^no CUDA device/);
    delete process.env.FAKE_CUDA_DEVICES;
    process.env.FAKE_CUDA_DRIVER_VERSION = '10020';
    expect(probe()).toBe('driver too old: the driver supports CUDA 10.2, graft needs CUDA 11.0 or newer');
    delete process.env.FAKE_CUDA_DRIVER_VERSION;
    process.env.FAKE_NVRTC_VERSION = '14.1';
    expect(probe()).toContain('NVRTC 14.1 is newer than the driver (CUDA 13.0)');
    delete process.env.FAKE_NVRTC_VERSION;
    const noNvrtc = probeNativeDriver({ cudaLibraries: [fake], nvrtcLibraries: ['libgraft-no-nvrtc.so.13'] });
    expect(reasonOf(noNvrtc)).toMatch(/^NVRTC not found \(tried libgraft-no-nvrtc\.so\.13/);
    expect(NVRTC_LIBRARY_NAMES[0]).toBe('libnvrtc.so.13');
  });

  test('GRAFT_CUDA_LIBRARY and GRAFT_NVRTC_LIBRARY point the loader elsewhere', () => {
    process.env.GRAFT_CUDA_LIBRARY = fake;
    process.env.GRAFT_NVRTC_LIBRARY = fake;
    const d = driverOf(probeNativeDriver()) as NativeCudaDriver;
    expect(d.kind).toBe('driver');
    expect(d.cudaLibrary).toBe(fake);
    expect(d.nvrtcLibrary).toBe(fake);
    expect(d.driverVersion).toBe(13000);
    expect(d.nvrtcVersion).toEqual([13, 0]);
    expect(d.deviceCount()).toBe(1);
    expect(d.info(0)).toEqual({ name: 'Fake CUDA Device 0', major: 9, minor: 0, totalBytes: 2 ** 30, multiprocessors: 132 });
    expect(() => d.info(1)).toThrow(ValueError);
    expect(() => d.info(0.5)).toThrow(ValueError);
  });
});

describe('memory over the fake driver', () => {
  test('malloc, copies both ways, device to device, memset, memInfo and free', () => {
    const d = openFake();
    const before = d.memInfo(0);
    const a = d.malloc(0, 16);
    const b = d.malloc(0, 16);
    expect(typeof a).toBe('bigint');
    expect(d.memInfo(0).free).toBe(before.free - 32);
    d.copyHtoD(0, a, new Float32Array([1, 2, 3, 4]));
    d.copyDtoD(0, b, a, 16);
    d.memsetD8(0, b + 4n, 0, 8); // through a pointer inside the allocation
    const out = new Float32Array(4);
    d.copyDtoH(0, out, b);
    expect([...out]).toEqual([1, 0, 0, 4]);
    // a view with a byte offset: its own bytes only
    const backing = new Float32Array([9, 9, 9, 9]);
    d.copyDtoH(0, new Float32Array(backing.buffer, 4, 2), a + 4n);
    expect([...backing]).toEqual([9, 2, 3, 9]);
    d.free(0, a);
    d.free(0, b);
    d.free(0, 0n);
    expect(d.memInfo(0)).toEqual(before);
    expect(d.malloc(0, 0)).toBe(0n);
  });

  test('copy sizes are checked against the allocation and the typed array', () => {
    const d = openFake();
    const a = d.malloc(0, 16);
    expect(() => d.copyHtoD(0, a, new Float32Array(5))).toThrow(ValueError);
    expect(() => d.copyHtoD(0, a + 8n, new Float32Array(3))).toThrow(/not inside a live allocation/);
    expect(() => d.copyDtoH(0, new Float64Array(3), a)).toThrow(ValueError);
    expect(() => d.copyDtoD(0, a, a + 4n, 16)).toThrow(ValueError);
    expect(() => d.memsetD8(0, a, 256, 4)).toThrow(ValueError);
    expect(() => d.memsetD8(0, a, 0, 17)).toThrow(ValueError);
    expect(() => d.copyHtoD(0, 12345n, new Uint8Array(1))).toThrow(ValueError);
    expect(() => d.copyHtoD(0, a, [1, 2] as unknown as Float32Array)).toThrow(ValueError);
    expect(() => d.copyHtoD(0, 5 as unknown as bigint, new Uint8Array(1))).toThrow(ValueError);
    expect(() => d.malloc(0, -1)).toThrow(ValueError);
    expect(() => d.malloc(0, 1.5)).toThrow(ValueError);
    expect(() => d.malloc(3, 4)).toThrow(ValueError);
    d.free(0, a);
    expect(() => d.free(0, a)).toThrow(/not a live allocation/); // double free refused
    expect(() => d.copyHtoD(0, a, new Uint8Array(1))).toThrow(ValueError); // use after free refused
  });

  test('out of memory: a CudaDriverError naming the bytes asked and the driver’s error', () => {
    const d = openFake();
    process.env.FAKE_CUDA_MEM = String(1 << 20);
    let err: unknown;
    try {
      d.malloc(0, 3 << 20);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CudaDriverError);
    expect(err).toBeInstanceOf(DeviceError);
    expect(isCudaOutOfMemory(err)).toBe(true);
    expect((err as CudaDriverError).call).toBe('cuMemAlloc_v2');
    expect((err as Error).message).toBe(
      `CUDA out of memory. Tried to allocate ${3 << 20} bytes on cuda:0 (${1 << 20} bytes free of ${1 << 20}): cuMemAlloc_v2 returned CUDA_ERROR_OUT_OF_MEMORY`,
    );
  });
});

describe('modules and launches over the fake driver', () => {
  function saxpyRun(d: CudaDriver, fns: Map<string, CudaFunction>, grid: number, block: number): number[] {
    const x = d.malloc(0, 16);
    const y = d.malloc(0, 16);
    d.copyHtoD(0, x, new Float32Array([1, 2, 3, 4]));
    d.copyHtoD(0, y, new Float32Array([10, 20, 30, 40]));
    d.launch(fns.get('saxpy')!, [grid, 1, 1], [block, 1, 1], 0, [{ f32: 0.5 }, { ptr: x }, { ptr: y }, { i32: 4 }]);
    const out = new Float32Array(4);
    d.copyDtoH(0, out, y);
    d.free(0, x);
    d.free(0, y);
    return [...out];
  }

  test('a kernel compiled to a cubin for sm_90 runs with its packed arguments', () => {
    const d = openFake();
    const fns = d.loadModule(0, KERNELS, ['saxpy', 'axpy_f64', 'launch_config']);
    expect([...fns.keys()]).toEqual(['saxpy', 'axpy_f64', 'launch_config']);
    expect(saxpyRun(d, fns, 1, 32)).toEqual([10.5, 21, 31.5, 42]);
    expect(saxpyRun(d, fns, 1, 3)).toEqual([10.5, 21, 31.5, 40]); // 3 threads in all: the grid is passed

    const x = d.malloc(0, 24);
    const y = d.malloc(0, 24);
    d.copyHtoD(0, x, new Float64Array([1e-300, 2, 3]));
    d.copyHtoD(0, y, new Float64Array([1, 1, 1]));
    d.launch(fns.get('axpy_f64')!, [2, 1, 1], [2, 1, 1], 0, [{ f64: 1e300 }, { ptr: x }, { ptr: y }, { i64: 3 }]);
    const out = new Float64Array(3);
    d.copyDtoH(0, out, y);
    expect([...out]).toEqual([2, 1 + 2e300, 1 + 3e300]);

    const rec = d.malloc(0, 56);
    d.launch(fns.get('launch_config')!, [7, 5, 3], [64, 2, 1], 70000, [{ ptr: rec }]);
    const cfg = new BigInt64Array(7);
    d.copyDtoH(0, cfg, rec);
    expect([...cfg]).toEqual([7n, 5n, 3n, 64n, 2n, 1n, 70000n]);
    d.synchronize(0);
    for (const p of [x, y, rec]) d.free(0, p);
  });

  test('launch arguments are checked: count, sizes, kinds, pointers, grid and block', () => {
    const d = openFake();
    const fns = d.loadModule(0, KERNELS, ['saxpy']);
    const f = fns.get('saxpy')!;
    const x = d.malloc(0, 16);
    const ok = [{ f32: 1 }, { ptr: x }, { ptr: x }, { i32: 4 }];
    d.launch(f, [1, 1, 1], [4, 1, 1], 0, ok);
    expect(() => d.launch(f, [1, 1, 1], [4, 1, 1], 0, ok.slice(0, 3))).toThrow('kernel saxpy takes 4 arguments, 3 given');
    expect(() => d.launch(f, [1, 1, 1], [4, 1, 1], 0, [...ok.slice(0, 3), { i64: 4 }])).toThrow('argument 3 of kernel saxpy has 4 bytes, 8 given');
    expect(() => d.launch(f, [1, 1, 1], [4, 1, 1], 0, [{ f32: 1 }, { ptr: x + 1000n }, { ptr: x }, { i32: 4 }])).toThrow(/pointer argument 1 of kernel saxpy is not inside a live allocation/);
    for (const bad of [{ i32: 2 ** 31 }, { i32: 1.5 }, { i64: 2 ** 60 }, { f32: '1' }, { ptr: 5 }, { ptr: -1n }, {}, null, 3]) {
      expect(() => d.launch(f, [1, 1, 1], [4, 1, 1], 0, [bad as never, ok[1]!, ok[2]!, ok[3]!])).toThrow(ValueError);
    }
    for (const [grid, block, shared] of [
      [[0, 1, 1], [4, 1, 1], 0],
      [[1, 1], [4, 1, 1], 0],
      [[1, 1, 1], [2048, 1, 1], 0],
      [[1, 1, 1], [4, 1.5, 1], 0],
      [[1, 1, 1], [4, 1, 1], -1],
      [[1, 1, 1], [4, 1, 1], 2 ** 32],
      ['111', [4, 1, 1], 0],
    ] as const) {
      expect(() => d.launch(f, grid as never, block as never, shared, ok)).toThrow(ValueError);
    }
    expect(() => d.launch({ name: 'saxpy' }, [1, 1, 1], [1, 1, 1], 0, ok)).toThrow('did not load');
    expect(() => openFake().launch(f, [1, 1, 1], [1, 1, 1], 0, ok)).toThrow('did not load');
    d.free(0, x);
    expect(() => d.launch(f, [1, 1, 1], [4, 1, 1], 0, ok)).toThrow(/not inside a live allocation/); // freed
  });

  test('driver errors of launches and lookups carry the driver’s name and the call', () => {
    const d = openFake();
    const fns = d.loadModule(0, KERNELS, ['launch_config']);
    const rec = d.malloc(0, 56);
    process.env.FAKE_CUDA_LAUNCH_ERROR = '700';
    const launch = () => d.launch(fns.get('launch_config')!, [1, 1, 1], [1, 1, 1], 0, [{ ptr: rec }]);
    expect(launch).toThrow(CudaDriverError);
    expect(launch).toThrow('cuda:0: cuLaunchKernel failed: CUDA_ERROR_ILLEGAL_ADDRESS (700: an illegal memory access was encountered)');
    delete process.env.FAKE_CUDA_LAUNCH_ERROR;
    expect(() => d.loadModule(0, KERNELS, ['no_such_kernel'])).toThrow(/cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND/);
    d.free(0, rec);
  });

  test('an NVRTC failure is a CompileError with the compile log', () => {
    const d = openFake();
    const bad = `${KERNELS}\n#error this kernel does not compile\n`;
    const load = () => d.loadModule(0, bad, ['saxpy']);
    expect(load).toThrow(CompileError);
    expect(load).toThrow(/nvrtcCompileProgram failed: NVRTC_ERROR_COMPILATION[^]*fake\.cu\(10\): error: #error this kernel does not compile/);
    expect(() => d.loadModule(0, 'a\0b', ['saxpy'])).toThrow(ValueError);
    expect(() => d.loadModule(0, 42 as unknown as string, ['saxpy'])).toThrow(ValueError);
  });

  test('an NVRTC older than the device compiles PTX for its newest architecture below the device', () => {
    process.env.FAKE_NVRTC_ARCHS = '70,75,80';
    const d = openFake();
    const src = `// ptx fallback\n${KERNELS}`;
    const fns = d.loadModule(0, src, ['saxpy']);
    expect(saxpyRun(d, fns, 1, 4)).toEqual([10.5, 21, 31.5, 42]);
    const path = cudaModulePath(cudaModuleKey(src, 'sm_90', '13.0', (d as NativeCudaDriver).compileOptions));
    expect(readFileSync(path, 'latin1').startsWith('// FAKEPTX compute_80\n')).toBe(true);
    // PTX the driver cannot compile: the JIT's log is in the error.
    const ptx = new TextEncoder().encode(`// FAKEPTX compute_100\n${KERNELS}\0`);
    expect(() => rawCuda().loadModule(0, ptx)).toThrow(/cuModuleLoadDataEx failed: CUDA_ERROR_NO_BINARY_FOR_GPU[^]*fake ptxas: PTX for a newer architecture than sm_90/);
    process.env.FAKE_NVRTC_ARCHS = '100,120';
    expect(() => openFake().loadModule(0, `// none\n${KERNELS}`, ['saxpy'])).toThrow(/supports no architecture at or below the device's sm_90/);
  });

  test('modules are cached on disk by source, architecture and NVRTC version', () => {
    const src = `// cache test ${Date.now()}\n${KERNELS}`;
    const s0 = { ...cudaModuleCacheStats };
    const d = openFake();
    d.loadModule(0, src, ['saxpy']);
    d.loadModule(0, src, ['saxpy', 'axpy_f64']); // in memory: no disk read, no compile
    expect(cudaModuleCacheStats.compiles - s0.compiles).toBe(1);
    expect(cudaModuleCacheStats.writes - s0.writes).toBe(1);
    expect(cudaModuleCacheStats.hits - s0.hits).toBe(0);
    const path = cudaModulePath(cudaModuleKey(src, 'sm_90', '13.0', (d as NativeCudaDriver).compileOptions));
    expect(existsSync(path)).toBe(true);
    const image = readFileSync(path);
    expect(image.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(image.subarray(64, 80).toString('latin1')).toBe('FAKECUBIN sm_90\n');

    // A fresh driver (as a new process has) reads the image from disk, and it works.
    const d2 = openFake();
    const fns = d2.loadModule(0, src, ['saxpy']);
    expect(cudaModuleCacheStats.hits - s0.hits).toBe(1);
    expect(cudaModuleCacheStats.compiles - s0.compiles).toBe(1);
    expect(saxpyRun(d2, fns, 1, 4)).toEqual([10.5, 21, 31.5, 42]);

    // Another NVRTC version is another key: compiled again.
    process.env.FAKE_NVRTC_VERSION = '12.8';
    openFake().loadModule(0, src, ['saxpy']);
    expect(cudaModuleCacheStats.compiles - s0.compiles).toBe(2);
    expect(existsSync(cudaModulePath(cudaModuleKey(src, 'sm_90', '12.8', (d as NativeCudaDriver).compileOptions)))).toBe(true);
    delete process.env.FAKE_NVRTC_VERSION;

    // A corrupted entry is detected, compiled again and replaced.
    const bytes = readFileSync(path);
    bytes[10] ^= 0xff;
    writeFileSync(path, bytes);
    openFake().loadModule(0, src, ['saxpy']);
    expect(cudaModuleCacheStats.corrupt - s0.corrupt).toBe(1);
    expect(cudaModuleCacheStats.compiles - s0.compiles).toBe(3);
    openFake().loadModule(0, src, ['saxpy']);
    expect(cudaModuleCacheStats.hits - s0.hits).toBe(2);

    // A sealed entry whose image the driver refuses (here: a PTX for another architecture put in its place)
    // is dropped and compiled again once.
    const foreign = Buffer.from(`// FAKEPTX compute_120\n${src}\0`, 'latin1');
    const sealed = join(dir, 'sealed.cumod');
    writeFileSync(sealed, foreign);
    seal(sealed);
    writeFileSync(path, readFileSync(sealed));
    const fns2 = openFake().loadModule(0, src, ['saxpy']);
    expect(cudaModuleCacheStats.hits - s0.hits).toBe(3);
    expect(cudaModuleCacheStats.dropped - s0.dropped).toBe(1);
    expect(cudaModuleCacheStats.compiles - s0.compiles).toBe(4);
    expect(readFileSync(path).subarray(64, 80).toString('latin1')).toBe('FAKECUBIN sm_90\n');
    expect(fns2.has('saxpy')).toBe(true);
  });

  test('NVRTC options: the toolkit include path, part of the key; bad options refused', () => {
    process.env.GRAFT_CUDA_INCLUDE = join(dir, 'include');
    const d = openFake() as NativeCudaDriver;
    expect(d.compileOptions).toEqual([`--include-path=${join(dir, 'include')}`]);
    const src = `// options ${Date.now()}\n${KERNELS}`;
    d.loadModule(0, src, ['saxpy']);
    expect(existsSync(cudaModulePath(cudaModuleKey(src, 'sm_90', '13.0', d.compileOptions)))).toBe(true);
    expect(existsSync(cudaModulePath(cudaModuleKey(src, 'sm_90', '13.0')))).toBe(false);
    process.env.GRAFT_CUDA_INCLUDE = '';
    expect((openFake() as NativeCudaDriver).compileOptions).toEqual([]);
    const raw = rawCuda();
    expect(() => raw.compile(0, KERNELS, 'k.cu', ['--bogus'])).toThrow(/NVRTC_ERROR_INVALID_OPTION/);
    for (const bad of [['--gpu-architecture=sm_80'], ['-arch=sm_80'], [''], [3], 'x']) {
      expect(() => raw.compile(0, KERNELS, 'k.cu', bad as never)).toThrow();
    }
    expect(raw.compile(0, KERNELS, 'k.cu', ['--include-path=/nowhere']).kind).toBe('cubin');
  });

  test('the driver in use cannot be switched to another library', () => {
    openFake().malloc(0, 4); // a context is open
    const other = join(dir, 'libfakecuda2.so');
    copyFileSync(fake, other);
    const r = probeNativeDriver({ cudaLibraries: [other], nvrtcLibraries: [other] });
    expect(reasonOf(r)).toContain('is in use through');
    expect(openFake().kind).toBe('driver'); // the one in use still probes fine
  });
});

describe('module images from nvcc pass the native image checks', () => {
  const nvcc = process.env.NVCC ?? '/usr/local/cuda/bin/nvcc';
  test.skipIf(!existsSync(nvcc))('a real cubin and real PTX reach the driver; a truncated cubin does not', () => {
    openFake();
    const cu = join(dir, 'k.cu');
    writeFileSync(cu, KERNELS);
    for (const [flag, out] of [['-cubin', 'k.cubin'], ['-ptx', 'k.ptx']] as const) {
      const r = spawnSync(nvcc, [flag, '-arch=sm_90', '-o', join(dir, out), cu], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const cubin = new Uint8Array(readFileSync(join(dir, 'k.cubin')));
    const ptx = new Uint8Array([...readFileSync(join(dir, 'k.ptx')), 0]);
    // Accepted by the addon's checks, so the (fake) driver sees them and refuses: not a fake image.
    for (const image of [cubin, ptx]) {
      let err: (Error & { cudaError?: string }) | undefined;
      try {
        rawCuda().loadModule(0, image);
      } catch (e) {
        err = e as Error & { cudaError?: string };
      }
      expect(err?.cudaError).toBe('CUDA_ERROR_INVALID_IMAGE');
    }
    expect(() => rawCuda().loadModule(0, cubin.subarray(0, cubin.length - 1))).toThrow(RangeError);
    expect(() => rawCuda().loadModule(0, ptx.subarray(0, ptx.length - 1))).toThrow(RangeError);
  });
});

/** A 128-byte ELF64 header with the given little-endian fields set (offset, value, ...), section count 1. */
function elfWith(...fields: (number | bigint)[]): Uint8Array {
  const b = new Uint8Array(128);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  const v = new DataView(b.buffer);
  v.setUint16(0x36, 56, true);
  v.setUint16(0x3a, 64, true);
  v.setUint16(0x3c, 1, true);
  v.setBigUint64(0x28, 64n, true);
  for (let i = 0; i < fields.length; i += 2) {
    const at = Number(fields[i]);
    const val = fields[i + 1]!;
    if (at === 0x38) v.setUint16(at, Number(val), true);
    else v.setBigUint64(at, BigInt(val), true);
  }
  return b;
}

describe('raw native functions refuse junk without crashing', () => {
  test('every function, bad types and sizes', () => {
    openFake();
    const cuda = rawCuda() as unknown as Record<string, (...a: unknown[]) => unknown>;
    const p = cuda.malloc!(0, 64) as bigint;
    const mod = cuda.loadModule!(0, (cuda.compile!(0, KERNELS, 'k.cu') as { image: Uint8Array }).image) as number;
    const fn = cuda.getFunction!(mod, 'launch_config') as number;
    const slots = new Uint8Array(8);
    new DataView(slots.buffer).setBigUint64(0, p, true);
    cuda.launch!(fn, [1, 1, 1], [1, 1, 1], 0, new Uint8Array([0]), slots);
    const junk: [string, unknown[]][] = [
      ['deviceInfo', []],
      ['deviceInfo', ['0']],
      ['deviceInfo', [-1]],
      ['deviceInfo', [NaN]],
      ['malloc', [0]],
      ['malloc', [0, 2 ** 60]],
      ['malloc', [0, Infinity]],
      ['free', [0, 1]],
      ['free', [0, -5n]],
      ['free', [0, 2n ** 64n]],
      ['free', [0, p + 1n]],
      ['memInfo', [{}]],
      ['copyHtoD', [0, p]],
      ['copyHtoD', [0, p, new ArrayBuffer(8)]],
      ['copyHtoD', [0, p, new Uint8Array(65)]],
      ['copyDtoH', [0, new Uint8Array(8)]],
      ['copyDtoH', [0, null, p]],
      ['copyDtoH', [0, new Uint8Array(8), p + 60n]],
      ['copyDtoD', [0, p, p]],
      ['copyDtoD', [0, p, p, -1]],
      ['copyDtoD', [0, p, p + 1n, 64]],
      ['memsetD8', [0, p, -1, 4]],
      ['memsetD8', [0, p, 0]],
      ['compile', [0]],
      ['compile', [0, 5, 'x']],
      ['compile', [0, 'x', {}]],
      ['loadModule', [0]],
      ['loadModule', [0, 'image']],
      ['loadModule', [0, new Uint8Array(0)]],
      ['loadModule', [0, new Uint8Array([1, 2, 3])]],
      ['loadModule', [0, new Uint8Array([0x7f, 0x45, 0x4c, 0x46])]], // ELF magic, shorter than a header
      ['loadModule', [0, new Uint8Array([65, 66, 0])]], // NUL-terminated, not an image: the driver says so
      ['loadModule', [0, new Uint8Array([65, 0, 66, 0])]], // a NUL inside "PTX"
      ['loadModule', [0, new Uint8Array([0x50, 0xed, 0x55, 0xba, 65, 0])]], // a fatbin's magic
      ['loadModule', [0, elfWith(0x28, 1000)]], // section headers past the end
      ['loadModule', [0, elfWith(0x20, 1n << 63n, 0x38, 1)]], // program headers past the end
      ['loadModule', [0, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0])]], // "ELF" ending in NUL: not PTX either
      ['getFunction', [mod + 1, 'saxpy']],
      ['getFunction', [mod, 7]],
      ['getFunction', [mod, '']],
      ['getFunction', [-1, 'saxpy']],
      ['launch', [fn + 100, [1, 1, 1], [1, 1, 1], 0, new Uint8Array([0]), slots]],
      ['launch', [fn, [1, 1, 1], [1, 1, 1], 0, new Float32Array([0]), slots]],
      ['launch', [fn, [1, 1, 1], [1, 1, 1], 0, new Uint8Array([0]), new Uint8Array(7)]],
      ['launch', [fn, [1, 1, 1], [1, 1, 1], 0, new Uint8Array([9]), slots]],
      ['launch', [fn, [1, 1, 1], [1, 1, 1], 0, new Uint8Array([0])]],
      ['launch', [fn, [1, 1, 1], [1, 1, 1], 0, new Uint8Array([0, 0]), new Uint8Array(16)]],
      ['launch', [fn, [1, 1, 1], [1, 1, 1], 0, new Uint8Array([1]), new Uint8Array(8)]],
      ['launch', [fn, { length: 3 }, [1, 1, 1], 0, new Uint8Array([0]), slots]],
      ['synchronize', [1]],
    ];
    for (const [name, args] of junk) {
      expect(() => cuda[name]!(...args), `${name}(${args.map(String).join(', ')})`).toThrow();
    }
    const out = new BigInt64Array(7);
    cuda.copyDtoH!(0, out, p);
    expect(out[0]).toBe(1n); // the device state survived
    cuda.free!(0, p);
  });
});
