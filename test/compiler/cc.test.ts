import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CompileError } from '../../src/ir/index.js';
import { ccStats, compileShared, DEFAULT_CFLAGS, resetCcStats } from '../../src/compiler/cc.js';
import { checkEntry, SEAL_BYTES } from '../../src/compiler/cache/disk-cache.js';
import { removeTranspiledSrc, transpiledSrc } from '../transpiled-src.js';
import { runTimes, timesSource } from './times-kernel.js';

// Each test gets a fresh cache directory, so hits and compiles are counted from a known state.
let dir: string;
const savedCC = process.env.CC;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'graft-cc-test-'));
  process.env.GRAFT_CACHE_DIR = dir;
  resetCcStats();
});
afterEach(() => {
  if (savedCC === undefined) delete process.env.CC;
  else process.env.CC = savedCC;
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => removeTranspiledSrc());

const source = timesSource;


describe('compileShared', () => {
  test('builds a loadable, sealed object in GRAFT_CACHE_DIR', () => {
    const path = compileShared(source(3));
    expect(dirname(path)).toBe(dir);
    expect(checkEntry(path)).toBe('valid');
    expect(ccStats).toMatchObject({ compiles: 1, hits: 0, corrupt: 0 });
    expect(runTimes(path, 2.5)).toBe(7.5);
  });

  test('the second request for the same source compiles nothing', () => {
    const first = compileShared(source(4));
    const second = compileShared(source(4));
    expect(second).toBe(first);
    expect(ccStats).toMatchObject({ compiles: 1, hits: 1 });
    // A different source or different flags is a different entry.
    const other = compileShared(source(5));
    const otherFlags = compileShared(source(4), { flags: [...DEFAULT_CFLAGS, '-g'] });
    expect(new Set([first, other, otherFlags]).size).toBe(3);
    expect(ccStats).toMatchObject({ compiles: 3, hits: 1 });
    expect(runTimes(other, 2)).toBe(10);
    expect(runTimes(otherFlags, 2)).toBe(8);
  });

  const corruptions: [string, (path: string) => void][] = [
    ['truncated to half', (p) => truncateSync(p, Math.floor(statSync(p).size / 2))],
    ['truncated to a few bytes', (p) => truncateSync(p, 10)],
    ['seal cut off (the object alone is intact)', (p) => truncateSync(p, statSync(p).size - SEAL_BYTES)],
    [
      'with one byte flipped in the middle',
      (p) => {
        const bytes = readFileSync(p);
        const i = Math.floor(bytes.length / 2);
        bytes[i] = bytes[i]! ^ 0x40;
        writeFileSync(p, bytes);
      },
    ],
    ['emptied', (p) => truncateSync(p, 0)],
  ];
  for (const [what, corrupt] of corruptions) {
    test(`an entry ${what} is detected and rebuilt`, () => {
      const path = compileShared(source(6));
      corrupt(path);
      expect(checkEntry(path)).toBe('corrupt');
      expect(compileShared(source(6))).toBe(path);
      expect(ccStats).toMatchObject({ compiles: 2, hits: 0, corrupt: 1 });
      expect(checkEntry(path)).toBe('valid');
      expect(runTimes(path, 1.5)).toBe(9);
    });
  }

  test('a compile error reports the compiler output and keeps the source', () => {
    const bad = 'int broken(void **b) { return undeclared_thing; }\n';
    let err: unknown;
    try {
      compileShared(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompileError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/C compilation failed/);
    expect(msg).toMatch(/undeclared_thing/);
    const kept = /source kept at (\S+)/.exec(msg)?.[1];
    expect(kept).toBeDefined();
    expect(readFileSync(kept!, 'utf8')).toBe(bad);
    expect(ccStats.compiles).toBe(0);
  });

  test('a missing compiler gives CompileError saying what to install', () => {
    process.env.CC = '/nonexistent/cc';
    expect(() => compileShared(source(7))).toThrow(CompileError);
    expect(() => compileShared(source(7))).toThrow(/no C compiler: \$CC \('\/nonexistent\/cc'\) not found or not executable; .*apt-get install gcc/);
  });

  test('an unusable cache directory is a CompileError naming GRAFT_CACHE_DIR', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    process.env.GRAFT_CACHE_DIR = join(file, 'cache');
    expect(() => compileShared(source(8))).toThrow(CompileError);
    expect(() => compileShared(source(8))).toThrow(/kernel cache directory .*a-file.*GRAFT_CACHE_DIR/);
  });

  test('temporary files left by dead processes are swept when building, fresh ones are kept', () => {
    const stale = join(dir, `${'0'.repeat(64)}.tmp-1-abc.so`);
    const fresh = join(dir, `${'1'.repeat(64)}.tmp-2-def.c`);
    writeFileSync(stale, 'half an object');
    writeFileSync(fresh, 'int x;');
    const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000;
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    compileShared(source(9));
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  test('$CC may carry arguments, and they are part of the key', () => {
    process.env.CC = 'cc -DFACTOR=11';
    const src = 'int times(void **b) { const double *x = b[0]; double *out = b[1]; out[0] = x[0] * FACTOR; return 0; }\n';
    const a = compileShared(src);
    expect(runTimes(a, 2)).toBe(22);
    process.env.CC = 'cc -DFACTOR=12';
    const b = compileShared(src);
    expect(b).not.toBe(a);
    expect(runTimes(b, 2)).toBe(24);
  });

  test('two processes filling the same cache at once both succeed and leave one valid entry', async () => {
    const cc = join(transpiledSrc(), 'compiler', 'cc.js');
    // Both children build the same source into the fresh cache directory at the same moment. The compiler
    // is a wrapper that waits before compiling, so both surely find no entry and both compile and install.
    const slowCC = join(dir, 'slow-cc.sh');
    writeFileSync(slowCC, 'sleep 0.5\nexec cc "$@"\n');
    const script = `
      const { compileShared, ccStats } = await import(${JSON.stringify(cc)});
      const path = compileShared(${JSON.stringify(source(13))});
      console.log(JSON.stringify({ path, compiles: ccStats.compiles, hits: ccStats.hits }));`;
    const run = () =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
          env: { ...process.env, GRAFT_CACHE_DIR: dir, CC: `sh ${slowCC}` },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code) => resolve({ code, out, err }));
      });
    const results = await Promise.all([run(), run()]);
    for (const r of results) expect(r.code, r.err).toBe(0);
    const reports = results.map((r) => JSON.parse(r.out) as { path: string; compiles: number; hits: number });
    expect(reports[0]!.path).toBe(reports[1]!.path);
    expect(reports.map((r) => r.compiles)).toEqual([1, 1]);
    expect(checkEntry(reports[0]!.path)).toBe('valid');
    expect(runTimes(reports[0]!.path, 2)).toBe(26);
    // No temporary files are left behind, and this process now finds the entry without compiling.
    const leftovers = readdirSync(dir).filter((f) => f.includes('.tmp-'));
    expect(leftovers).toEqual([]);
    process.env.CC = `sh ${slowCC}`;
    expect(compileShared(source(13))).toBe(reports[0]!.path);
    expect(ccStats).toMatchObject({ compiles: 0, hits: 1 });
    expect(existsSync(reports[0]!.path)).toBe(true);
  });
});
