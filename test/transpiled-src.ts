/**
 * The sources under src/ as plain ESM JavaScript (ts.transpileModule, no type check), for tests that must
 * run graft code in child processes (Node 20 cannot run .ts). Written once per test process under
 * node_modules/.cache, so that package imports resolve as they do for src/.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let outDir: string | undefined;

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

/** Directory holding `src/**` as .js; import e.g. `${dir}/compiler/cc.js`. */
export function transpiledSrc(): string {
  if (outDir) return outDir;
  const out = join(ROOT, 'node_modules', '.cache', 'graft-test-src', `${process.pid}-${Date.now()}`);
  const src = join(ROOT, 'src');
  for (const file of tsFiles(src)) {
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    }).outputText;
    const target = join(out, relative(src, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  outDir = out;
  return out;
}

/** Deletes this process's transpiled copy. */
export function removeTranspiledSrc(): void {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  outDir = undefined;
}
