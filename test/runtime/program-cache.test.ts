/**
 * The program cache: a graph with the structure of one realized before (other buffers, same ops, shapes,
 * dtypes and constants) reuses its program: nothing is scheduled, lowered, rendered or compiled again.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { ccStats } from '../../src/compiler/cc.js';
import { CpuDevice, getDevice, libraryCacheStats } from '../../src/runtime/index.js';
import { expectClose } from '../helpers.js';

const cpu = getDevice('cpu') as CpuDevice;

function step(x: torch.Tensor, w: torch.Tensor): torch.Tensor {
  return x.mul(w).add(1).tanh().mul(w.sub(0.5));
}

describe('program cache', () => {
  test('a second realization of the same structure plans and compiles nothing', () => {
    const a = step(torch.rand(300), torch.rand(300)).realize();
    const before = { ...cpu.stats };
    const cc = { ...ccStats };
    const libs = { ...libraryCacheStats };
    const x = torch.rand(300);
    const w = torch.rand(300);
    const b = step(x, w);
    const got = b.dataSync();
    expect(cpu.stats.programBuilds).toBe(before.programBuilds);
    expect(cpu.stats.programHits).toBe(before.programHits + 1);
    expect(ccStats.compiles).toBe(cc.compiles);
    expect(ccStats.hits).toBe(cc.hits);
    expect(libraryCacheStats.loads).toBe(libs.loads);
    // and it computes the new values, not the old ones
    const xs = x.dataSync() as Float32Array;
    const ws = w.dataSync() as Float32Array;
    expectClose(got, Array.from(xs, (v, i) => Math.tanh(v * ws[i]! + 1) * (ws[i]! - 0.5)), { rtol: 1e-5, atol: 1e-6 });
    expect(Array.from((got) as ArrayLike<number | bigint>, Number)).not.toEqual(Array.from((a.dataSync()) as ArrayLike<number | bigint>, Number));
  });
  test('another shape, dtype or structural constant is another program; a constant that is data is not', () => {
    step(torch.rand(300), torch.rand(300)).realize();
    const builds = cpu.stats.programBuilds;
    step(torch.rand(301), torch.rand(301)).realize();
    expect(cpu.stats.programBuilds).toBe(builds + 1);
    step(torch.rand(300, { dtype: 'float64' }), torch.rand(300, { dtype: 'float64' })).realize();
    expect(cpu.stats.programBuilds).toBe(builds + 2);
    torch.rand(300).mul(3).realize();
    torch.rand(300).mul(4).realize(); // 3 and 4 are inputs of one program (compiler/lift-constants.ts)
    expect(cpu.stats.programBuilds).toBe(builds + 3);
    torch.rand(300).mul(2).realize(); // 2 is code (pow(x, 2), x * 2 = x + x, ...)
    expect(cpu.stats.programBuilds).toBe(builds + 4);
  });
  test('plans are plain data: they serialize to JSON and back', () => {
    const t = step(torch.rand(10), torch.rand(10));
    const { program } = cpu.program([t.node]);
    const json = JSON.parse(JSON.stringify(program));
    const fn = json.plan.functions[json.plan.kernels[0].fn];
    expect(fn.source).toContain(`int ${fn.name}(void **restrict bufs)`);
    expect(json.plan.steps.some((s: { op: string }) => s.op === 'run')).toBe(true);
  });
});
