/** `graft aot`: a script's compiled steps saved ahead of time, with a typed wrapper that type-checks. */
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { runGraft } from './graft.js';

const ts = createRequire(import.meta.url)('typescript') as typeof TS;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'graft-aot-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `import * as torch from 'graft';
const { nn, optim } = torch;
torch.manualSeed(0);
const net = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
const opt = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
export const names = { model: net, opt };
export const train = torch.compile(
  (features: torch.Tensor, labels: torch.Tensor) => {
    opt.zeroGrad();
    const out = net.call(features) as torch.Tensor;
    const loss = nn.functional.crossEntropy(out, labels);
    loss.backward();
    opt.step();
    return { loss, correct: out.argmax(1).eq(labels).sum() };
  },
  { example: [torch.spec([5, 4]), torch.spec([5], torch.int64)] },
);
`;

const USER = `import * as torch from 'graft';
import { load } from './artifact/index.js';
const art = load();
const r = art.steps.train(torch.zeros(5, 4), torch.zeros([5], { dtype: torch.int64 }));
const loss: number = r.loss.item();
const w: torch.Tensor = art.state['model.0.weight'];
console.log(loss, w.shape, r.correct.item());
`;

describe('graft aot', () => {
  it('saves the exported compiled steps and a typed wrapper; a script using the wrapper type-checks and runs', async () => {
    writeFileSync(join(dir, 'step.ts'), SCRIPT);
    const r = await runGraft(dir, ['aot', 'step.ts', '--out', 'artifact'], { timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/graft aot: saved train to .*artifact/);
    for (const f of ['manifest.json', 'kernels.c', 'kernels.so', 'state.safetensors', 'index.ts']) expect(existsSync(join(dir, 'artifact', f))).toBe(true);
    const wrapper = readFileSync(join(dir, 'artifact', 'index.ts'), 'utf8');
    expect(wrapper).toContain('train(features: torch.Tensor, labels: torch.Tensor): {');
    expect(wrapper).toContain('@param features float32 [5, 4]');
    expect(wrapper).toContain('"model.0.weight"');

    // tsc --noEmit on a script that uses it ('graft' resolves to this package's types)
    writeFileSync(join(dir, 'use.ts'), USER);
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    const program = ts.createProgram([join(dir, 'use.ts')], {
      noEmit: true,
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      baseUrl: dir,
      paths: { graft: [join(ROOT, 'dist', 'index.d.ts')] },
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
    const run = await runGraft(dir, ['run', 'use.ts'], { timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^[\d.]+ \[ 8, 4 \] \d+\n$/);
  }, 180_000);

  it('a script that exports no compiled step is a usage error', async () => {
    writeFileSync(join(dir, 'none.ts'), "export const x = 1;\n");
    const r = await runGraft(dir, ['aot', 'none.ts', '--out', 'nothing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exports no compiled step/);
    const r2 = await runGraft(dir, ['aot', 'none.ts']);
    expect(r2.stderr).toMatch(/--out <dir> is required/);
  });
});
