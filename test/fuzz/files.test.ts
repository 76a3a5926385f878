/**
 * The file loaders under mutation-based fuzzing (seconds per target, see budget.ts), and every input fuzzing
 * ever found replayed from regressions/<target>/ (a value or a graft error, nothing else).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXED_SEED, RANDOM_SEED, SECONDS } from './budget.js';
import { checkRule, fuzz, report } from './harness.js';
import { FILE_TARGETS } from './targets/files.js';

describe.each(FILE_TARGETS)('fuzzing the $name loader', (target) => {
  it.each([
    ['a fixed seed', FIXED_SEED],
    ['a random seed', RANDOM_SEED],
  ])(`%s (${SECONDS} s)`, (_, seed) => {
    const r = fuzz(target, { seconds: SECONDS, seed });
    if (r.failure) throw new Error(report(r));
    expect(r.runs).toBeGreaterThan(0);
  });

  it('replays every input fuzzing found', () => {
    const dir = new URL(`regressions/${target.name}/`, import.meta.url);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bin')) : [];
    for (const f of files) checkRule(target, new Uint8Array(readFileSync(new URL(f, dir))));
  });
});
