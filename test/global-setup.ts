/**
 * Runs once before the test files: the CLI tests spawn `node bin/graft.js`, which runs the built `dist/`.
 * `npm install` / `npm ci` build it (the `prepare` script); here it is rebuilt only when a file under src/ is
 * newer than the build, so a test run after editing the sources tests those edits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const built = join(root, 'dist', 'cli', 'main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(root, 'src'))) return;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  // Type errors still emit JavaScript: report them and let the tests say what works.
  if (r.status !== 0) console.warn(`graft test setup: 'tsc -p tsconfig.build.json' failed:\n${r.stdout}${r.stderr}`);
}
