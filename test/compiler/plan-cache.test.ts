/**
 * Plans on disk: a fresh process realizing a graph an earlier process planned reads the plan (no
 * simplifying, scheduling, lowering or rendering) and finds its kernels compiled; a damaged plan file is
 * ignored.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { planCacheStats, planDigest, readPlan, writePlan } from '../../src/compiler/cache/plan-cache.js';
import { structuralKey } from '../../src/ir/index.js';
import { getDevice } from '../../src/runtime/index.js';
import { CpuDevice } from '../../src/runtime/cpu.js';
import { fileURLToPath } from 'node:url';

const cpu = getDevice('cpu') as CpuDevice;
let dir: string;
const saved = process.env.GRAFT_CACHE_DIR;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'graft-plan-cache-'));
  process.env.GRAFT_CACHE_DIR = dir;
});
afterEach(() => {
  process.env.GRAFT_CACHE_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

/** A graph with views, groups, an assign target, reductions and a contraction. */
function graph(): torch.Tensor[] {
  const x = torch.rand(6, 5, 8).realize();
  const w = torch.rand(8, 4).realize();
  const acc = torch.zeros(4).realize();
  let h = torch.zeros(5, 4);
  for (let t = 0; t < 6; t++) h = x.select(0, t).matmul(w).add(h.tanh());
  acc.add_(h.sum(0));
  return [h.softmax(1), acc];
}

describe('plans on disk', () => {
  test('a stored plan reads back equal to the one planned (slots, steps, kernels, functions)', () => {
    const roots = graph().map((t) => t.node);
    const { key } = structuralKey(roots);
    const { program } = cpu.program(roots);
    const digest = planDigest(key, cpu.threads);
    writePlan(digest, program.plan);
    expect(readPlan(digest)).toEqual(program.plan);
  });

  test('a truncated, altered or foreign file is not a plan', () => {
    const roots = graph().map((t) => t.node);
    const { program } = cpu.program(roots);
    const digest = planDigest(structuralKey(roots).key, cpu.threads);
    const file = (): string => join(dir, 'plans', `${digest}.plan`);
    writePlan(digest, program.plan);
    const rejected = planCacheStats.rejected;
    truncateSync(file(), Math.floor(statSync(file()).size / 2));
    expect(readPlan(digest)).toBeNull();
    writePlan(digest, program.plan);
    writeFileSync(file(), '{"not": "a plan"}');
    expect(readPlan(digest)).toBeNull();
    expect(planCacheStats.rejected).toBe(rejected + 2);
    // Another digest's file under this name is not taken either.
    writePlan('0'.repeat(64), program.plan);
    rmSync(file());
    const other = readdirSync(join(dir, 'plans')).find((f) => f.endsWith('.plan'))!;
    writeFileSync(file(), readFileSync(join(dir, 'plans', other), 'utf8'));
    expect(readPlan(digest)).toBeNull();
  });

  test('a fresh process plans nothing for a graph planned by an earlier one, and computes the same', () => {
    // The built package (the vitest global setup rebuilds dist/ when src/ is newer): it loads the addon.
    const src = fileURLToPath(new URL('../../dist', import.meta.url));
    const script = `
      const torch = await import(${JSON.stringify(join(src, 'index.js'))});
      const { planCacheStats } = await import(${JSON.stringify(join(src, 'compiler', 'cache', 'plan-cache.js'))});
      const { kernelCacheStats } = await import(${JSON.stringify(join(src, 'compiler', 'kernel-cache.js'))});
      const { ccStats } = await import(${JSON.stringify(join(src, 'compiler', 'cc.js'))});
      torch.manualSeed(7);
      const x = torch.rand(40, 16).realize();
      const ws = Array.from({ length: 120 }, () => torch.rand(16).realize());
      const l0 = kernelCacheStats.lowerings, c0 = ccStats.compiles;
      let y = x;
      for (const w of ws) y = y.mul(w).softmax(1);
      const values = Array.from(y.numpy().data);
      console.log(JSON.stringify({ values, reads: planCacheStats.reads, writes: planCacheStats.writes, lowerings: kernelCacheStats.lowerings - l0, compiles: ccStats.compiles - c0 }));`;
    const run = () => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, GRAFT_CACHE_DIR: dir }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { values: number[]; reads: number; writes: number; lowerings: number; compiles: number };
    };
    const first = run();
    expect(first.writes).toBeGreaterThanOrEqual(1);
    expect(first.lowerings).toBeGreaterThan(0);
    expect(first.compiles).toBeGreaterThan(0);
    const second = run();
    expect(second.reads).toBeGreaterThanOrEqual(1);
    expect(second.lowerings).toBe(0);
    expect(second.compiles).toBe(0);
    expect(second.values).toEqual(first.values);
  });
});
