/**
 * nvcc as a gate for generated CUDA: every source a test collects is compiled to a cubin for sm_90 in one
 * nvcc call (`compileAll`). Where nvcc is absent the step is skipped, and the test says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { CUDA_PRELUDE } from '../../src/compiler/render/cuda/index.js';
import type { CudaDevice } from '../../src/runtime/index.js';

export const NVCC = process.env.NVCC ?? '/usr/local/cuda/bin/nvcc';
export const hasNvcc = (): boolean => existsSync(NVCC);

/** Sources collected by a test file, compiled together at its end. */
export class NvccGate {
  private readonly sources = new Map<string, string>();
  add(source: string): void {
    this.sources.set(source, source);
  }
  get size(): number {
    return this.sources.size;
  }
  /** Compile every source (one translation unit each, one nvcc call); returns '' or nvcc's log of the failures. */
  compileAll(): string {
    if (!hasNvcc()) {
      console.warn(`nvcc not found at ${NVCC}: the generated CUDA sources were not compiled for sm_90 (emulator only)`);
      return '';
    }
    if (this.sources.size === 0) return '';
    const dir = mkdtempSync(join(tmpdir(), 'graft-nvcc-'));
    try {
      // Generated modules share one translation unit (nvcc's start costs about a second per file): the
      // prelude once, each module's functions in a namespace of their own (equal kernels of two modules
      // would otherwise be defined twice). Other sources are files of their own.
      const all = [...this.sources.values()];
      const generated = all.filter((s) => s.startsWith(CUDA_PRELUDE));
      const own = all.filter((s) => !s.startsWith(CUDA_PRELUDE));
      const units = own.slice();
      if (generated.length) {
        const unguarded = (s: string): string => s.replace(/^#ifndef GRAFT_SORT_HELPERS\n#define GRAFT_SORT_HELPERS\n([^]*?)^#endif\n/gm, '$1');
        units.push([CUDA_PRELUDE, ...generated.map((s, i) => `namespace m${i} {\n${unguarded(s.slice(CUDA_PRELUDE.length))}\n}`)].join('\n'));
      }
      const files = units.map((s, i) => {
        const f = join(dir, `k${i}.cu`);
        writeFileSync(f, s);
        return f;
      });
      // One nvcc process, one cubin per source (-cubin with several inputs needs -odir / --output-directory).
      const r = spawnSync(NVCC, ['-cubin', '-arch=sm_90', '--output-directory', dir, ...files], { encoding: 'utf8', timeout: 600_000 });
      if (r.status === 0) return '';
      return `${r.stdout}\n${r.stderr}`.trim() || `nvcc failed (${r.status ?? r.signal})`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Collect every module `dev` loads from here on, and compile them all with nvcc when the test file ends (a
 * kernel nvcc refuses fails the file).
 */
export function gateModulesOf(dev: CudaDevice): NvccGate {
  const gate = new NvccGate();
  const load = dev.driver.loadModule.bind(dev.driver);
  dev.driver.loadModule = (o, source, names) => {
    gate.add(source);
    return load(o, source, names);
  };
  afterAll(() => {
    expect(gate.compileAll()).toBe('');
  }, 600_000);
  return gate;
}
