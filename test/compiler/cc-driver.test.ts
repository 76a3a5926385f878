/**
 * Compiling many sources at once (in parallel, through the driver of cc-driver.ts), and what a killed
 * compile leaves: no compiler process running on, and temporary files that the next compile removes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CompileError } from '../../src/ir/index.js';
import { ccStats, compileShared, compileSharedMany, resetCcStats } from '../../src/compiler/cc.js';
import { checkEntry } from '../../src/compiler/cache/disk-cache.js';
import { removeTranspiledSrc, transpiledSrc } from '../transpiled-src.js';
import { openLibrary } from '../../src/runtime/native.js';
import { runTimes, timesSource } from './times-kernel.js';

let dir: string;
const savedCC = process.env.CC;
const savedDir = process.env.GRAFT_CACHE_DIR;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'graft-driver-test-'));
  process.env.GRAFT_CACHE_DIR = dir;
  resetCcStats();
});
afterEach(() => {
  if (savedCC === undefined) delete process.env.CC;
  else process.env.CC = savedCC;
  process.env.GRAFT_CACHE_DIR = savedDir;
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => removeTranspiledSrc());

const source = timesSource;


/** Whether process `pid` is gone (a zombie, waiting for a parent to reap it, counts as gone). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('compileSharedMany', () => {
  test('compiles every missing source, each its own cached object, and finds them all next time', () => {
    const sources = [2, 3, 5, 7, 11].map(source);
    const paths = compileSharedMany(sources);
    expect(new Set(paths).size).toBe(5);
    expect(ccStats).toMatchObject({ compiles: 5, hits: 0 });
    paths.forEach((p, i) => {
      expect(checkEntry(p)).toBe('valid');
      expect(runTimes(p, 2)).toBe(2 * [2, 3, 5, 7, 11][i]!);
    });
    // One more source: only it is compiled; a repeated source is one entry.
    const again = compileSharedMany([...sources, source(13), source(13)]);
    expect(again.slice(0, 5)).toEqual(paths);
    expect(again[5]).toBe(again[6]);
    expect(ccStats).toMatchObject({ compiles: 6, hits: 5 });
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('sources compiled several to a file still get an entry each, and are found one by one', () => {
    const prelude = '/* shared prelude */\nstatic double twice(double x) { return 2 * x; }\n';
    const fn = (i: number) => `int f${i}(void **b) { double *o = b[0]; o[0] = twice(${i}); return 0; }\n`;
    const sources = Array.from({ length: 7 }, (_, i) => prelude + fn(i));
    const combined: number[][] = [];
    const paths = compileSharedMany(sources, {
      combine: (members) => (combined.push([...members]), prelude + members.map(fn).join('')),
    });
    expect(ccStats.compiles).toBe(7);
    expect(combined.length).toBeGreaterThan(0);
    expect(combined.flat().length).toBeLessThanOrEqual(7);
    paths.forEach((p, i) => {
      expect(checkEntry(p)).toBe('valid');
      const lib = openLibrary(p);
      const out = new Float64Array(1);
      lib.kernel(`f${i}`).call([out], [8]);
      lib.close();
      expect(out[0]).toBe(2 * i);
    });
    // Each is an entry of its own: asked for alone, it is a hit.
    resetCcStats();
    expect(compileShared(sources[3]!)).toBe(paths[3]);
    expect(ccStats).toMatchObject({ compiles: 0, hits: 1 });
  });

  test('a failing source is a CompileError with its messages; the others are not installed half-way', () => {
    const bad = 'int times(void **b) { return undeclared; }\n';
    expect(() => compileSharedMany([source(17), bad, source(19)])).toThrow(CompileError);
    expect(() => compileSharedMany([source(17), bad])).toThrow(/undeclared/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // The good sources compile on their own afterwards.
    expect(runTimes(compileShared(source(17)), 1)).toBe(17);
  });
});

describe('a process killed while it compiles', () => {
  test('leaves no compiler running, and its temporary files are removed by the next compile', async () => {
    // The "compiler" runs the real one, except on a source marked SLOW: then it starts a long child (as gcc
    // starts cc1) and waits for it, after noting both process ids.
    const pids = join(dir, 'pids');
    const fakeCC = join(dir, 'fake-cc.sh');
    writeFileSync(
      fakeCC,
      `for a in "$@"; do case "$a" in *.c) if grep -q GRAFT_TEST_SLOW "$a"; then
  sleep 300 & echo $! >> ${pids}; echo $$ >> ${pids}; wait; exit 1
fi;; esac; done
exec cc "$@"
`,
    );
    const cc = join(transpiledSrc(), 'compiler', 'cc.js');
    const script = `
      const { compileSharedMany } = await import(${JSON.stringify(cc)});
      compileSharedMany([${JSON.stringify('/* GRAFT_TEST_SLOW */\n' + source(23))}, ${JSON.stringify(source(29))}]);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, GRAFT_CACHE_DIR: dir, CC: `sh ${fakeCC}` },
      stdio: 'ignore',
    });
    const started = Date.now();
    while (!(existsSync(pids) && readFileSync(pids, 'utf8').trim().split('\n').length >= 2)) {
      if (Date.now() - started > 30_000) throw new Error('the slow compile never started');
      await sleep(50);
    }
    const compilers = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(compilers.every((p) => !gone(p))).toBe(true);
    const leftovers = readdirSync(dir).filter((f) => f.includes('.tmp-'));
    expect(leftovers.length).toBeGreaterThan(0);

    child.kill('SIGKILL');
    const killed = Date.now();
    while (!compilers.every(gone) && Date.now() - killed < 5000) await sleep(50);
    expect(compilers.filter((p) => !gone(p))).toEqual([]);

    // The next compile (here, another process) removes what the dead one left.
    compileShared(source(31));
    const still = readdirSync(dir).filter((f) => leftovers.includes(f));
    expect(still, JSON.stringify({ leftovers, now: readdirSync(dir) })).toEqual([]);
  });
});
