/**
 * `graft ir`: the text IR and kernel table of every program a script realizes. The output for a fixed script
 * is a reviewed snapshot (test/cli/__snapshots__/ir-fixed.txt: the matmul as reshape/expand/mul/reduce, relu
 * as le/where, and the gradient of sum(relu(x @ w)) with respect to w); the script's own output checks the
 * values (13.5, and x^T times the ones of the positive rows: [5, 7, 9]).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGraft, type GraftRun } from './graft.js';

const dir = mkdtempSync(join(tmpdir(), 'graft-ir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const graft = (...args: string[]): Promise<GraftRun> => runGraft(dir, args, { env: { NO_COLOR: '' } });


const FIXED = [
  "import * as torch from 'graft';",
  'const x = torch.tensor([[1, 2, 3], [4, 5, 6]]);',
  'const w = torch.tensor([[0.5], [-1], [2]], { requiresGrad: true });',
  'const y = x.matmul(w).relu().sum();',
  'y.backward();',
  'console.log(y.item(), JSON.stringify(w.grad!.tolist()));',
];

describe.concurrent('graft ir', () => {
  it('prints the IR and the kernels of each program (snapshot), no colours when not on a terminal', async ({ expect }) => {
    writeFileSync(join(dir, 'fixed.ts'), FIXED.join('\n') + '\n');
    const r = await graft('ir', '--no-timings', 'fixed.ts');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [script, ...rest] = r.stdout.split('\n');
    expect(script).toBe('13.5 [[5],[7],[9]]');
    expect(r.stdout).not.toContain('\x1b[');
    await expect(rest.join('\n')).toMatchFileSnapshot('__snapshots__/ir-fixed.txt');
  });

  it('adds what it measured unless told not to', async () => {
    writeFileSync(join(dir, 'timed.ts'), FIXED.join('\n') + '\n');
    const r = await graft('ir', 'timed.ts');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kernel +kind +type +FLOPs +bytes +median +GFLOP\/s +GB\/s +roofline +fused ops$/m);
    expect(r.stdout).toMatch(/^k0 +loops +f32\[2,1,1\] +12 +44 B +[\d.]+ [µm]?s +[\d.]+ +[\d.]+ +[\d.]+% +reshape reshape expand mul reduce$/m);
    expect(r.stdout).toMatch(/^wall time [\d.]+ m?s, in kernels [\d.]+ [µm]?s \([\d.]+%\)$/m);
  });

  it('passes the arguments after the script (and after --) to the script', async () => {
    writeFileSync(join(dir, 'argv.ts'), 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    const r = await graft('ir', '--no-timings', 'argv.ts', 'a', '--', '--no-timings', 'b');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('["a","--no-timings","b"]');
    expect(r.stdout).toContain('graft ir: the script realized no program on the cpu device');
  });
});
