/**
 * `graft run`: spawns `node bin/graft.js run <script>` on scripts written to a temporary directory outside the
 * package (so 'graft' must resolve to this package without a node_modules next to the script).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { transpile } from '../../src/cli/transpile.js';
import { runGraft, type GraftRun } from './graft.js';

const dir = mkdtempSync(join(tmpdir(), 'graft-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** `node bin/graft.js ...args` in the temporary directory. */
const graft = (...args: string[]): Promise<GraftRun> => runGraft(dir, args, { timeout: 50_000 });

function write(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}


describe.concurrent('graft run', () => {
  it("runs a script that imports 'graft' from outside the package", async () => {
    write('tensor.ts', [
      "import * as torch from 'graft';",
      'const x: torch.Tensor = torch.tensor([[1n, 2n], [3n, 4n]]);',
      'console.log(JSON.stringify(x.mul(2).tolist()), x.dtype);',
    ]);
    const r = await graft('run', 'tensor.ts');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('[[2,4],[6,8]] int64\n');
    expect(r.code).toBe(0);
  });

  it('resolves ./util.js to util.ts and passes argv as node would', async () => {
    write('util.ts', ['export const twice = (s: string): string => s + s;']);
    write('main.ts', ["import { twice } from './util.js';", 'console.log(twice(process.argv[2]!), JSON.stringify(process.argv.slice(1)));']);
    const r = await graft('run', 'main.ts', 'ab', '--flag');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`abab ${JSON.stringify([join(dir, 'main.ts'), 'ab', '--flag'])}\n`);
  });

  it('supports `using` declarations (disposed at the end of the block, in reverse order)', async () => {
    write('using.ts', [
      'class Res {',
      '  constructor(readonly name: string) {}',
      "  [Symbol.dispose](): void { console.log('dispose', this.name); }",
      '}',
      '{',
      "  using a = new Res('a');",
      "  using b = new Res('b');",
      "  console.log('body', a.name, b.name);",
      '}',
      "console.log('after');",
    ]);
    const r = await graft('run', 'using.ts');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('body a b\ndispose b\ndispose a\nafter\n');
  });

  it('maps stack traces to the lines of the .ts file', async () => {
    const lines = [
      'interface Shape {', // erased by the transpiler: JavaScript lines differ from TypeScript lines
      '  rows: number;',
      '  cols: number;',
      '}',
      'type Pair = [number, number];',
      'const s: Shape = { rows: 2, cols: 3 };',
      'const p: Pair = [s.rows, s.cols];',
      'function fail(): never {',
      "  throw new Error('boom ' + p.join('x'));", // line 9
      '}',
      'fail();',
    ];
    const path = write('throws.ts', lines);
    const js = transpile(lines.join('\n'), path).split('\n');
    expect(js.findIndex((l) => l.includes("new Error('boom '")) + 1).not.toBe(9); // the test means something
    const r = await graft('run', 'throws.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: boom 2x3');
    expect(r.stderr).toMatch(/at fail \(.*throws\.ts:9:9\)/);
  });

  it('propagates exit codes', async () => {
    write('exitcode.ts', ['process.exitCode = 7;']);
    write('exit.ts', ['process.exit(3);', "console.log('not reached');"]);
    expect((await graft('run', 'exitcode.ts')).code).toBe(7);
    const r = await graft('run', 'exit.ts');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
  });

  it('reports TypeScript syntax errors with file and line', async () => {
    write('bad.ts', ['const a = 1;', 'const b = (a +;']);
    const r = await graft('run', 'bad.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'bad.ts')}:2:`);
    expect(r.stderr).toContain('error TS');
  });

  it('explains usage errors with exit code 2', async () => {
    const missing = await graft('run', 'nope.ts');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("graft run: cannot find script 'nope.ts'\n");
    const unknown = await graft('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("graft: unknown command 'frobnicate'");
    const help = await graft('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}run <script\.ts> \[args\.\.\.\] +run a TypeScript script/m);
    expect((await graft('run', '--help')).stdout).toContain('Usage: graft run <script.ts> [args...]');
  });
});
