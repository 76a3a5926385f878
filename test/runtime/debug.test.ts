/**
 * GRAFT_DEBUG=1 on large work: a large graph is announced before it is planned, a compile of several
 * functions before it starts, and a large program says where its time went — never minutes of silence.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { build, type Node } from '../../src/ir/index.js';
import { getDevice } from '../../src/runtime/index.js';
import { captureStderr } from '../helpers.js';

let dir: string;
const saved = process.env.GRAFT_CACHE_DIR;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'graft-debug-test-'));
  process.env.GRAFT_CACHE_DIR = dir;
});
afterEach(() => {
  delete process.env.GRAFT_DEBUG;
  process.env.GRAFT_CACHE_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('GRAFT_DEBUG=1 on large work', () => {
  test('a graph of 24,000 nodes: announced, then where the time went', () => {
    const cpu = getDevice('cpu');
    let x: Node = build.buffer(cpu.fromHost('float32', new Float32Array([1, 2, 3])));
    const c = build.constant(0.5, 'float32', [3]);
    for (let i = 0; i < 12_000; i++) x = build.binary('mul', build.binary('add', x, c), c);
    // Four more kernels of other structures, so the compile is announced too.
    // (Of other sizes: values sharing their loops would be one kernel.)
    const others = [2, 3, 4, 5].map((k) => build.unary('exp', build.expand(build.reshape(x, [3, 1]), [3, k])));
    process.env.GRAFT_DEBUG = '1';
    const out = captureStderr(() => cpu.execute([x, ...others]));
    expect(out, out).toMatch(/graft cpu: planning a graph of 2\d,\d{3} nodes\n/);
    expect(out, out).toMatch(/graft cpu: compiling \d+ of \d+ functions on \d+ jobs\n/);
    expect(out).toMatch(
      /graft cpu: large program: 2\d,\d{3} nodes -> [\d,]+ values -> [\d,]+ kernels, planned in [\d.]+ m?s \(simplify .*, schedule and lower .*, group .*, assemble and render .*\); \d+ distinct functions, \d+ compiled now, loaded in [\d.]+ m?s\n/,
    );
    // The order: announced before the work, explained after it.
    expect(out.indexOf('planning a graph')).toBeLessThan(out.indexOf('compiling'));
    expect(out.indexOf('compiling')).toBeLessThan(out.indexOf('large program'));
  });
});
