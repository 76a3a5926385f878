/**
 * The roofline of this machine: how fast a kernel could go at best. Two peaks, measured once per machine,
 * thread count and compiler, then read from a file in the kernel cache directory:
 *
 * - memory bandwidth: a parallel copy of a 64 MiB float array (bytes read + bytes written per second), the
 *   measure STREAM calls "copy";
 * - arithmetic: independent chains of vector fused multiply-adds in every thread (2 flops each), for float32
 *   and float64.
 *
 * A kernel that moves B bytes and does F flops needs at least max(F / peak flops, B / peak bandwidth)
 * seconds; its percentage of the roofline is that floor over the time it took. Each measurement is the best
 * of several repetitions, so a busy machine lowers the peaks less than it lowers a single run; delete the
 * file (`roofline-*.json` in the cache directory) to measure again.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { DType } from '../ir/index.js';
import { compileShared, compilerIdentity, DEFAULT_CFLAGS } from '../compiler/cc.js';
import { cacheDir, ensureCacheDir, sha256Hex } from '../compiler/cache/disk-cache.js';
import { alignedArray, nowNs, openLibrary } from './native.js';

export interface Peaks {
  /** Copy bandwidth, GB/s (bytes read plus bytes written). */
  readonly copyGBs: number;
  /** Fused multiply-add rate, GFLOP/s (an FMA counts 2). */
  readonly fma32GFlops: number;
  readonly fma64GFlops: number;
  /** The OpenMP threads the peaks were measured with (kernels are compared with peaks of their own count). */
  readonly threads: number;
}

const PeaksFile = z.object({
  version: z.literal(1),
  copyGBs: z.number().positive(),
  fma32GFlops: z.number().positive(),
  fma64GFlops: z.number().positive(),
  threads: z.number().int().positive(),
});

/** Elements of the copy benchmark's arrays: 64 MiB each, beyond any cache. */
const COPY_ELEMENTS = 16 << 20;
const REPEATS = 5;

const source = (threads: number): string => `
#include <stdint.h>
/* The widest vectors this CPU has (-march=native): wider ones would be split and spilled. */
#ifdef __AVX512F__
#define GRAFT_VBYTES 64
#else
#define GRAFT_VBYTES 32
#endif
typedef float graft_vf __attribute__((vector_size(GRAFT_VBYTES)));
typedef double graft_vd __attribute__((vector_size(GRAFT_VBYTES)));

int graft_peak_lanes(void **bufs) {
  ((int64_t *)bufs[0])[0] = GRAFT_VBYTES / 4;
  return 0;
}

int graft_peak_copy(void **bufs) {
  float *restrict dst = (float *)bufs[0];
  const float *restrict src = (const float *)bufs[1];
  const int64_t n = ((const int64_t *)bufs[2])[0];
  #pragma omp parallel for simd schedule(static) num_threads(${threads})
  for (int64_t i = 0; i < n; i++) dst[i] = src[i];
  return 0;
}

/* ${CHAINS} independent chains per thread: enough to cover the FMA latency on every FMA port. */
#define GRAFT_PEAK_FMA(NAME, V, T)                                                          \\
int NAME(void **bufs) {                                                                     \\
  T *out = (T *)bufs[0];                                                                    \\
  const int64_t iters = ((const int64_t *)bufs[1])[0];                                      \\
  const int lanes = (int)(sizeof(V) / sizeof(T));                                           \\
  _Pragma("omp parallel num_threads(${threads})")                                           \\
  {                                                                                         \\
    V a[${CHAINS}], m, c;                                                                   \\
    for (int l = 0; l < lanes; l++) {                                                       \\
      for (int j = 0; j < ${CHAINS}; j++) a[j][l] = (T)(l + j);                               \\
      m[l] = (T)0.999999; c[l] = (T)1e-7;                                                   \\
    }                                                                                       \\
    for (int64_t i = 0; i < iters; i++) {                                                   \\
      _Pragma("GCC unroll 16")                                                              \\
      for (int j = 0; j < ${CHAINS}; j++) a[j] = a[j] * m + c;                                \\
    }                                                                                       \\
    T t = 0;                                                                                \\
    for (int j = 0; j < ${CHAINS}; j++)                                                       \\
      for (int l = 0; l < lanes; l++) t += a[j][l];                                         \\
    _Pragma("omp atomic")                                                                   \\
    out[0] += t;                                                                            \\
  }                                                                                         \\
  return 0;                                                                                 \\
}
GRAFT_PEAK_FMA(graft_peak_fma32, graft_vf, float)
GRAFT_PEAK_FMA(graft_peak_fma64, graft_vd, double)
`;

/** Independent FMA chains per thread. */
const CHAINS = 10;

function measure(threads: number): Peaks {
  // a*m+c contracted into FMA instructions: what the GEMM micro-kernels use.
  const flags = [...DEFAULT_CFLAGS.filter((f) => f !== '-ffp-contract=off'), '-ffp-contract=fast'];
  const lib = openLibrary(compileShared(source(threads), { flags }));
  try {
    const param = alignedArray('int64', 1) as BigInt64Array;
    const best = (run: () => void): number => {
      let min = Infinity;
      for (let r = 0; r < REPEATS; r++) {
        const t0 = nowNs();
        run();
        min = Math.min(min, nowNs() - t0);
      }
      return Math.max(min, 1);
    };

    const width = alignedArray('int64', 1) as BigInt64Array;
    lib.kernel('graft_peak_lanes').call([width], [8]);
    const lanes32 = Number(width[0]);
    const copy = lib.kernel('graft_peak_copy');
    const dst = alignedArray('float32', COPY_ELEMENTS) as Float32Array;
    const src = alignedArray('float32', COPY_ELEMENTS) as Float32Array;
    src.fill(1);
    dst.fill(0); // first touch outside the timed runs
    param[0] = BigInt(COPY_ELEMENTS);
    const copyNs = best(() => copy.call([dst, src, param], [dst.byteLength, src.byteLength, 8]));
    const copyGBs = (2 * COPY_ELEMENTS * 4) / copyNs;

    const fma = (dtype: 'float32' | 'float64'): number => {
      const k = lib.kernel(dtype === 'float32' ? 'graft_peak_fma32' : 'graft_peak_fma64');
      const out = alignedArray(dtype, 1);
      // Calibrate to about 30 ms per run, so timer and thread start-up do not count.
      let iters = 1 << 16;
      for (;;) {
        param[0] = BigInt(iters);
        const t0 = nowNs();
        k.call([out, param], [out.byteLength, 8]);
        const ns = nowNs() - t0;
        if (ns > 30e6 || iters >= 1 << 30) break;
        iters = Math.min(1 << 30, Math.max(iters * 2, Math.round((iters * 30e6) / Math.max(ns, 1))));
      }
      param[0] = BigInt(iters);
      const ns = best(() => k.call([out, param], [out.byteLength, 8]));
      const lanes = dtype === 'float32' ? lanes32 : lanes32 / 2;
      return (2 * CHAINS * lanes * iters * threads) / ns;
    };
    return { copyGBs, fma32GFlops: fma('float32'), fma64GFlops: fma('float64'), threads };
  } finally {
    lib.close();
  }
}

const known = new Map<number, Peaks>();

function peaksPath(threads: number): string {
  const id = sha256Hex(JSON.stringify([1, arch(), cpus()[0]?.model ?? '', cpus().length, threads, compilerIdentity()]));
  return join(cacheDir(), `roofline-${id.slice(0, 16)}.json`);
}

/**
 * This machine's peaks for kernels run with `threads` OpenMP threads: measured the first time (about a
 * second), then read from the cache directory.
 */
export function machinePeaks(threads: number): Peaks {
  const hit = known.get(threads);
  if (hit) return hit;
  const path = peaksPath(threads);
  let peaks: Peaks | null = null;
  try {
    const parsed = PeaksFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success && parsed.data.threads === threads) peaks = parsed.data;
  } catch {
    // no file yet (or an unreadable one): measure
  }
  if (peaks === null) {
    peaks = measure(threads);
    try {
      ensureCacheDir(cacheDir());
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ version: 1, ...peaks }) + '\n');
      renameSync(temp, path);
    } catch {
      // a read-only cache: measure again next time
    }
  }
  known.set(threads, peaks);
  return peaks;
}

/**
 * The percentage of the roofline a kernel reached: the least time its flops and bytes need at this machine's
 * peaks over the time it took (100 = as fast as the machine allows). Null for a kernel that did nothing.
 */
export function rooflinePercent(k: { readonly flops: number; readonly bytes: number; readonly dtype: DType }, ns: number, peaks: Peaks): number | null {
  const flopRate = (k.dtype === 'float64' ? peaks.fma64GFlops : peaks.fma32GFlops) * 1e9;
  const floorS = Math.max(k.flops / flopRate, k.bytes / (peaks.copyGBs * 1e9));
  if (!(floorS > 0) || !(ns > 0)) return null;
  return (100 * floorS) / (ns / 1e9);
}
