/**
 * Compile work follows distinct kernels: a kernel whose fused region has a structure already seen is a cache
 * lookup (lowering and rendering), calls the same C function (named by a digest of its text) with its own
 * buffers, and is compiled once into one shared object of its own.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { ccStats } from '../../src/compiler/cc.js';
import { clearKernelCache, kernelCacheStats } from '../../src/compiler/kernel-cache.js';
import { getDevice, interpret } from '../../src/runtime/index.js';
import { CpuDevice } from '../../src/runtime/cpu.js';
import { expectClose } from '../helpers.js';

const cpu = getDevice('cpu') as CpuDevice;

// A cache directory of this file's own: plans on disk from earlier runs would skip the planning counted here.
let dir: string;
const saved = process.env.GRAFT_CACHE_DIR;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'graft-kernel-cache-'));
  process.env.GRAFT_CACHE_DIR = dir;
  cpu.clearPrograms();
});
afterEach(() => {
  process.env.GRAFT_CACHE_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

/** x -> softmax(x * w_i) for each layer: one row-reduction kernel per layer, all of one structure. */
function layers(L: number): { x0: torch.Tensor; ws: torch.Tensor[]; out: torch.Tensor } {
  const x0 = torch.rand(8, 16).realize();
  const ws = Array.from({ length: L }, () => torch.rand(16).realize());
  let x = x0;
  for (const w of ws) x = x.mul(w).softmax(1);
  return { x0, ws, out: x };
}

/** The same in float64 by hand: softmax over rows of 8 x 16. */
function layersByHand(x0: torch.Tensor, ws: torch.Tensor[]): number[] {
  let x = Array.from(x0.numpy().data as Float32Array, Number);
  for (const w of ws) {
    const wv = Array.from(w.numpy().data as Float32Array, Number);
    const y = new Array<number>(128);
    for (let r = 0; r < 8; r++) {
      const row = Array.from({ length: 16 }, (_, c) => x[r * 16 + c]! * wv[c]!);
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, c) => (y[r * 16 + c] = v / s));
    }
    x = y;
  }
  return x;
}

describe('kernels of one structure', () => {
  test('share one function in a program, and are lowered once whatever their number', () => {
    const count = (L: number) => {
      const { out } = layers(L);
      clearKernelCache();
      const l0 = kernelCacheStats.lowerings;
      const r0 = kernelCacheStats.renders;
      const ks = torch.ir.kernels(out);
      return { kernels: ks.length, functions: new Set(ks.map((k) => k.function)).size, lowerings: kernelCacheStats.lowerings - l0, renders: kernelCacheStats.renders - r0 };
    };
    const small = count(24);
    const big = count(96);
    // A kernel computes a few layers (as many as fit the cut); the kernels between the first and the last
    // are all alike.
    expect(big.kernels).toBeGreaterThanOrEqual(12);
    expect(big.functions).toBe(small.functions);
    expect(big.functions).toBeLessThanOrEqual(3);
    expect(big.lowerings).toBeLessThanOrEqual(small.lowerings);
    expect(big.renders).toBe(small.renders);
  });

  test('compute the right values: every layer calls the shared function with its own buffers', () => {
    const { x0, ws, out } = layers(20);
    const want = layersByHand(x0, ws);
    // The reference first: once computed, the node holds its float32 result.
    expectClose(interpret([out.node], { float64: true })[0]!, want, { rtol: 1e-12, atol: 1e-14 });
    expectClose(out.numpy().data, want, { rtol: 1e-5, atol: 1e-6 });
  });

  test('another program made of the same kernels renders and compiles nothing new', () => {
    layers(24).out.realize();
    // 27 layers: kernels of the structures 24 layers had (the cut makes kernels of three layers).
    const { x0, ws, out } = layers(27);
    const r0 = kernelCacheStats.renders;
    const c0 = ccStats.compiles;
    const builds = cpu.stats.programBuilds;
    const got = out.numpy().data;
    expect(cpu.stats.programBuilds).toBe(builds + 1);
    expect(kernelCacheStats.renders).toBe(r0);
    expect(ccStats.compiles).toBe(c0);
    expectClose(got, layersByHand(x0, ws), { rtol: 1e-5, atol: 1e-6 });
  });
});

describe('the disk cache', () => {
  test('holds one shared object per distinct kernel', async () => {
    const { clearKernelLibraries } = await import('../../src/runtime/kernel-cache.js');
    clearKernelLibraries();
    const { out } = layers(30);
    const fns = new Set(torch.ir.kernels(out).map((k) => k.function));
    const objects = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.so'));
    const before = objects().length;
    out.realize();
    expect(objects().length - before).toBe(fns.size);
    expect(fns.size).toBeLessThan(torch.ir.kernels(layers(30).out).length);
  });
});
