/**
 * The roofline: the percentage is the least time a kernel's flops and bytes need at the machine's peaks over
 * the time it took (hand-computed cases); peaks are measured once and then read from the cache directory;
 * GRAFT_DEBUG=2 prints the percentage on each kernel's line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { captureStderr } from '../helpers.js';
import { machinePeaks, rooflinePercent, type Peaks } from '../../src/runtime/roofline.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const peaks: Peaks = { copyGBs: 20, fma32GFlops: 400, fma64GFlops: 200, threads: 2 };

describe('rooflinePercent', () => {
  it('a memory-bound kernel is compared with the bandwidth', () => {
    // 4 MB at 20 GB/s need 200 µs; it took 400 µs: 50%.
    expect(rooflinePercent({ flops: 1e6, bytes: 4e6, dtype: 'float32' }, 400e3, peaks)).toBeCloseTo(50, 10);
  });
  it('a compute-bound kernel with the FMA rate of its dtype', () => {
    // 8 GFLOP at 400 GFLOP/s need 20 ms; it took 80 ms: 25%. In float64 (200 GFLOP/s) 40 ms: 50%.
    expect(rooflinePercent({ flops: 8e9, bytes: 1e6, dtype: 'float32' }, 80e6, peaks)).toBeCloseTo(25, 10);
    expect(rooflinePercent({ flops: 8e9, bytes: 1e6, dtype: 'float64' }, 80e6, peaks)).toBeCloseTo(50, 10);
  });
  it('nothing to measure gives null', () => {
    expect(rooflinePercent({ flops: 0, bytes: 0, dtype: 'float32' }, 1000, peaks)).toBeNull();
    expect(rooflinePercent({ flops: 10, bytes: 10, dtype: 'float32' }, 0, peaks)).toBeNull();
  });
});

describe('machinePeaks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graft-roofline-'));
  const saved = process.env.GRAFT_CACHE_DIR;
  afterAll(() => {
    process.env.GRAFT_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('measures once per thread count and keeps the result in the cache directory', () => {
    process.env.GRAFT_CACHE_DIR = dir;
    const p = machinePeaks(1);
    expect(p.threads).toBe(1);
    for (const v of [p.copyGBs, p.fma32GFlops, p.fma64GFlops]) expect(v).toBeGreaterThan(0);
    const files = readdirSync(dir).filter((f) => /^roofline-[0-9a-f]{16}\.json$/.test(f));
    expect(files.length).toBe(1);
    const saved1 = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
    expect(saved1).toEqual({ version: 1, ...p });
    expect(machinePeaks(1)).toBe(p); // this process measured already: the same object
    // Another process reads the file instead of measuring: change a number in it and ask a fresh process.
    writeFileSync(join(dir, files[0]!), JSON.stringify({ ...saved1, copyGBs: 1234 }));
    const dist = pathToFileURL(join(ROOT, 'dist', 'runtime', 'roofline.js')).href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(dist)}); console.log(m.machinePeaks(1).copyGBs);`], {
      encoding: 'utf8',
      env: { ...process.env, GRAFT_CACHE_DIR: dir },
    });
    expect(r.stdout.trim()).toBe('1234');
  });
});

describe('GRAFT_DEBUG=2', () => {
  it("prints the percentage of this machine's roofline on each kernel's line", async () => {
    const saved = process.env.GRAFT_DEBUG;
    process.env.GRAFT_DEBUG = '2';
    await new Promise((r) => setTimeout(r, 15)); // the level is read again every 10 ms
    let out: string;
    try {
      out = captureStderr(() => torch.tensor([1, 2, 3]).exp().sum().item());
    } finally {
      if (saved === undefined) delete process.env.GRAFT_DEBUG;
      else process.env.GRAFT_DEBUG = saved;
    }
    const lines = out.split(/(?<=\n)/);
    const kernelLines = lines.filter((l) => /^ {2}k\d+ /.test(l));
    expect(kernelLines.length).toBeGreaterThan(0);
    for (const l of kernelLines) expect(l).toMatch(/GB\/s +(\d+\.\d|-)% of roofline\n$/);
  });
});
